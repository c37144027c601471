-- ses.dkim.incomplete: SES verifies Easy DKIM only when all three CNAMEs resolve.
return {
  id = "ses.dkim.incomplete",
  title = "Not all three DKIM records are right",
  severity = "error",
  tags = {"ses", "dkim", "summary"},
  summary = "SES verifies an Easy DKIM identity only when all three DKIM CNAME records resolve to its tokens.",
  fix = "Publish all three CNAME records exactly as SES lists them; still to fix: {todo}. The findings for each name say what is wrong with it.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html",
                "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html"},
  order = 95,
  doc = [[
A summary over the three Easy DKIM records (`TOKEN._domainkey.DOMAIN CNAME
TOKEN.dkim.amazonses.com`, one per token SES generated). A record counts as right when every
authoritative server of its zone that answers serves the CNAME with the expected target.

Why: SES polls the three names and marks the identity verified (and starts signing) only when
all three resolve. Two out of three is as good as none, which surprises people who checked
one record with dig and saw it right.

Outcomes:
- error: one finding for the identity, saying how many of the three are right and naming
  the ones that are not, with the cause other rules found for each when there is one;
- nothing when all three are right, when the identity uses BYODKIM (one TXT record, checked
  by ses.byodkim.invalid_key and the record rules), or when the records were not looked up.

Fix: publish the missing or wrong ones; the per-record findings give the exact entry.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    if expect.signing_origin == "EXTERNAL" then return end

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    -- the causes already found for a name, when the engine offers them
    local function causes(name)
      local ok, list = pcall(function() return ctx:findings(name, "CNAME") end)
      local ids = {}
      if ok and type(list) == "table" then
        for _, f in ipairs(list) do ids[#ids + 1] = f.rule or f.id end
      end
      return ids
    end

    local total, right, bad, todo, evidence = 0, 0, {}, {}, {}
    for _, r in ipairs(expect.records or {}) do
      if r.role == "dkim" and r.type == "CNAME" then
        local name = dnsvet.name.normalize(r.name)
        local entry = ctx:answers(name, "CNAME")
        if entry then
          total = total + 1
          local answered, good, seen = 0, 0, nil
          for _, reply in ipairs(entry.auth or {}) do
            -- refusals and non-authoritative replies are delegation.lame's subject
            if in_zone(reply) and not reply.error and reply.aa ~= false
                and (reply.rcode == "NOERROR" or reply.rcode == "NXDOMAIN") then
              answered = answered + 1
              for _, rr in ipairs(reply.answer or {}) do
                if rr.name == name and rr.type == "CNAME" then
                  seen = rr.target
                  if dnsvet.name.normalize(rr.target) == dnsvet.name.normalize(r.value) then
                    good = good + 1
                    break
                  end
                end
              end
            end
          end
          if answered > 0 and good == answered then
            right = right + 1
          else
            local state
            if answered == 0 then state = "no authoritative server answered"
            elseif good > 0 then state = ("only %d of %d servers serve it"):format(good, answered)
            elseif seen then state = ("points to %s instead of %s"):format(seen, r.value)
            else state = "not found" end
            local ids = causes(name)
            if #ids > 0 then state = state .. ", see " .. table.concat(ids, ", ") end
            bad[#bad + 1] = ("%s (%s)"):format(name, state)
            local zone = ctx:zone_of(name)
            todo[#todo + 1] = zone and ("`%s` → `%s`"):format(dnsvet.name.relative(name, zone.name), r.value)
              or ("`%s` → `%s`"):format(name, r.value)
            evidence[#evidence + 1] = {name = name, type = "CNAME", note = state}
          end
        end
      end
    end

    if total > 0 and right < total then
      local expected = (expect.dkim_tokens and #expect.dkim_tokens > 0) and #expect.dkim_tokens or total
      ctx:report{
        subject = {name = dnsvet.name.normalize(ctx.domain or ""), type = "CNAME"},
        message = ("%s of the %d DKIM CNAME records of %s %s right; SES verifies the domain only when all of them resolve. Not right: %s.")
          :format(right == 0 and "None" or ("Only " .. right), expected, ctx.domain or "the domain",
                  right == 1 and "is" or "are", table.concat(bad, "; ")),
        vars = {todo = table.concat(todo, ", ")},
        evidence = evidence,
      }
    end
  end,
}
