-- spf.multiple: more than one SPF record at one name (permerror).

local spf = dnsvet.lib("spf")
local spf_names, is_spf, txt_at, severity_for =
  spf.names, spf.is_record, spf.txt_at, spf.severity_for

-- One record holding the terms of all: mechanisms in order without repeats,
-- a redirect turned into an include, and the first `all`.
local function merged(texts)
  local terms, seen, all = {}, {}, nil
  for _, text in ipairs(texts) do
    for term in text:gmatch("%S+") do
      local l = term:lower()
      if l:match("^redirect=") then
        term = "include:" .. term:sub(10)
        l = term:lower()
      end
      if l == "v=spf1" then
        -- the version, written once below
      elseif l:match("^[%+%-~%?]?all$") then
        all = all or term
      elseif not seen[l] then
        seen[l] = true
        terms[#terms + 1] = term
      end
    end
  end
  terms[#terms + 1] = all or "~all"
  return "v=spf1 " .. table.concat(terms, " ")
end

return {
  id = "spf.multiple",
  title = "More than one SPF record",
  severity = "error",
  tags = {"spf"},
  summary = "A name publishes several `v=spf1` records; SPF then fails with permerror.",
  fix = "In {zone}, replace the {count} SPF TXT records at `{relative}` by one record: `{merged}` "
     .. "(check that it lists every service that sends mail as {name}).",
  references = {"https://www.rfc-editor.org/rfc/rfc7208#section-4.5",
                "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html"},
  order = 50,
  doc = [[
Counts the TXT records starting with `v=spf1` at the MAIL FROM domain and at
the identity domain, on each authoritative server.

RFC 7208 §4.5: when a name has more than one SPF record, evaluation ends in
permerror; receivers then treat the mail as not authorised by SPF, and DMARC
cannot pass through SPF. It usually happens when a second service's
instructions say "add this TXT record" and the existing SPF record is kept
(SES's own guides warn about it).

Outcomes:
- error on the MAIL FROM domain, warning on the identity domain: two or more
  SPF records; the message lists them and the fix proposes one merged record;
- nothing with zero (spf.missing) or one record.

Fix: merge the mechanisms of all records into one record with a single `all`
at the end, then delete the others.]],

  check = function(ctx)
    for _, n in ipairs(spf_names(ctx)) do
      local e = ctx:answers(n.name, "TXT")
      local best, best_rep = {}, nil
      for _, rep in ipairs(e and e.auth or {}) do
        local listed = rep.source == nil
        for _, s in ipairs(rep.source or {}) do
          if s == "parent" or s == "child" then listed = true end
        end
        if listed and not rep.error and rep.aa ~= false then
          local spfs = {}
          for _, rr in ipairs(rep.answer or {}) do
            if rr.type == "TXT" and is_spf(rr.text) then spfs[#spfs + 1] = rr end
          end
          if #spfs > #best then best, best_rep = spfs, rep end
        end
      end
      if #best > 1 then
        local texts, shown, raw = {}, {}, {}
        for _, rr in ipairs(best) do
          texts[#texts + 1] = rr.text
          shown[#shown + 1] = "`" .. rr.text .. "`"
          raw[#raw + 1] = rr.raw
        end
        local zone = ctx:zone_of(n.name)
        local zname = zone and zone.name or dnsvet.name.parent(n.name)
        local why = n.kind == "mail_from"
          and "SES mail sent through this MAIL FROM domain fails SPF"
          or "mail sent as this domain fails SPF wherever SPF is checked against it"
        ctx:report{
          subject = {name = n.name, type = "TXT"},
          severity = severity_for(n.kind),
          message = ("%s publishes %d SPF records (on %s): %s. Receivers stop with permerror when there "
            .. "is more than one, so %s."):format(n.name, #best, best_rep.server or best_rep.addr or "?",
            table.concat(shown, " and "), why),
          vars = {zone = zname, count = #best, relative = dnsvet.name.relative(n.name, zname),
                  merged = merged(texts), name = n.name},
          evidence = {{server = best_rep.server, addr = best_rep.addr, name = n.name, type = "TXT",
                       rcode = best_rep.rcode, answer = raw}},
        }
      end
    end
  end,
}
