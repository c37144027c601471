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
  by ses.byodkim.invalid_key and the record rules), or when no record is known to be wrong:
  a record whose zone could not be asked (delegation.not_public and the other delegation
  rules), whose servers all failed to answer (delegation.lame, engine.unreachable), or that
  was not looked up is unknown, not missing. When some records are wrong and others
  unknown, the message names the unknown ones and why.

Fix: publish the missing or wrong ones; the per-record findings give the exact entry.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    if expect.signing_origin == "EXTERNAL" then return end

    -- the causes already found for a name, when the engine offers them
    local function causes(name)
      local ok, list = pcall(ctx.findings, ctx, name, "CNAME")
      local ids = {}
      if ok and type(list) == "table" then
        for _, f in ipairs(list) do
          -- a notice (a long TTL, say) is no cause of a wrong or missing record
          if f.severity == "error" or f.severity == "warning" then ids[#ids + 1] = f.rule end
        end
      end
      return ids
    end

    local total, right, bad, todo, evidence, unknown = 0, 0, {}, {}, {}, {}
    for _, r in ipairs(expect.records or {}) do
      if r.role == "dkim" and r.type == "CNAME" then
        local name = dnsvet.name.normalize(r.name)
        total = total + 1
        -- a zone that cannot be asked, or servers that all refuse or stay silent, leave the
        -- record's state unknown (delegation.*, delegation.lame, engine.unreachable say why):
        -- it is neither right nor wrong
        local replies, why = dnsvet.authoritative(ctx, name, "CNAME")
        if not replies then
          unknown[#unknown + 1] = {name = name, why = why}
        else
          local want = nil
          local good, seen, counted = 0, nil, {}
          for _, o in ipairs(ctx:rrs("own", name, "CNAME", "CNAME")) do
            if not counted[o.reply] then
              seen = o.rr.target
              want = want or dnsvet.name.normalize(r.value)
              if dnsvet.name.normalize(o.rr.target) == want then
                counted[o.reply] = true
                good = good + 1
              end
            end
          end
          if good == #replies then
            right = right + 1
          else
            local state
            if good > 0 then state = ("only %d of %d servers serve it"):format(good, #replies)
            elseif seen then state = ("points to %s instead of %s"):format(seen, r.value)
            else state = "not found" end
            local ids = causes(name)
            if #ids > 0 then state = state .. ", see " .. table.concat(ids, ", ") end
            bad[#bad + 1] = name .. " (" .. state .. ")"
            local zone = ctx:zone_of(name)
            todo[#todo + 1] = ("`%s` → `%s`"):format(dnsvet.name.relative(name, zone.name), r.value)
            evidence[#evidence + 1] = {name = name, type = "CNAME", note = state}
          end
        end
      end
    end

    -- only a record known to be wrong makes the set incomplete; unknown ones are named
    if #bad > 0 then
      local expected = (expect.dkim_tokens and #expect.dkim_tokens > 0) and #expect.dkim_tokens or total
      local unchecked = ""
      if #unknown > 0 then
        local list = {}
        for _, u in ipairs(unknown) do
          list[#list + 1] = u.name .. " (" .. u.why .. ")"
          evidence[#evidence + 1] = {name = u.name, type = "CNAME", note = "unknown: " .. u.why}
        end
        unchecked = (" Could not be checked: %s."):format(table.concat(list, "; "))
      end
      ctx:report{
        subject = {name = dnsvet.name.normalize(ctx.domain or ""), type = "CNAME"},
        message = ("%s of the %d DKIM CNAME records of %s %s right; SES verifies the domain only when all of them resolve. Not right: %s.%s")
          :format(right == 0 and "None" or ("Only " .. right), expected, ctx.domain or "the domain",
                  right == 1 and "is" or "are", table.concat(bad, "; "), unchecked),
        vars = {todo = table.concat(todo, ", ")},
        evidence = evidence,
      }
    end
  end,
}
