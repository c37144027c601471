-- record.extra_characters: the value is right apart from quotes, spaces, line breaks or a dot.

local record = dnsvet.lib("record")
local found_values, strip, reported = record.found_values, record.strip, record.reported

local SKIP_ROLES = {spf = true, mail_from_spf = true, dmarc = true}

return {
  id = "record.extra_characters",
  title = "Record value has extra characters",
  severity = "error",
  tags = {"ses", "record", "value"},
  summary = "The value is the expected one plus quotes, spaces, line breaks or a trailing dot.",
  fix = "Edit the {type} record `{relative}` in {zone} and set its value to exactly `{value}`: "
     .. "paste it without {what}.{hint}",
  references = {"https://repost.aws/knowledge-center/ses-verify-domain-pending"},
  order = 30,
  doc = [[
Compares the value of every expected CNAME and TXT record (DKIM, BYODKIM, the
legacy `_amazonses` token) with the value SES gave, and fires when the stored
value is the expected one with something added: quotes stored as data
(`"\"abc=\""`), spaces before or after, a line break from the paste, spaces
inside a token, or a trailing dot inside a TXT string. For CNAME targets,
letter case is ignored, as DNS does.

SES compares values exactly, so a single added character keeps the identity
pending. The added characters are often invisible in a control panel.

Outcomes:
- error (warning for a recommended record): no server serves the exact value,
  and one serves it with additions; the message lists what was added.
- nothing when the exact value is served, or when the difference is of
  another kind (record.missing_characters, record.case_changed,
  record.wrong_value). SPF and DMARC records are checked by the spf.* and
  dmarc.* rules instead.

Fix: paste the value exactly as SES lists it, without quotes or spaces.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      if (r.type == "CNAME" or r.type == "TXT") and not SKIP_ROLES[r.role] and r.value
         and r.comparable ~= false then
        local name = dnsvet.name.normalize(r.name)
        local want = r.type == "CNAME" and dnsvet.name.normalize(r.value) or r.value
        local found, exact, hit, what = found_values(ctx, r, name), false, nil, nil
        for _, f in ipairs(found) do
          if f.value == want then exact = true end
        end
        -- one server with the exact value is enough: nothing to look into
        for _, f in ipairs(exact and {} or found) do
          local stripped, notes = strip(f.value, want)
          if stripped == want and #notes > 0 and not hit then hit, what = f, notes end
        end
        local explained = hit and reported(ctx, name, r.type)
        if hit and not explained then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          local said, without = {}, {}
          for _, w in ipairs(what) do said[#said + 1] = w[1]; without[#without + 1] = w[2] end
          local listing = table.concat(said, ", ")
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s %s on %s holds `%s` where `%s` is expected: it has %s."):format(
              name, r.type, hit.rep.server or hit.rep.addr or "?", hit.value, want, listing),
            vars = {type = r.type, relative = dnsvet.name.relative(name, zname), zone = zname,
                    value = want, what = table.concat(without, ", "),
                    hint = (r.type == "TXT" and listing:find("quotes", 1, true))
                      and " Panels that show quotes around TXT values add them themselves; do not type them." or ""},
            evidence = {{server = hit.rep.server, addr = hit.rep.addr, name = name, type = r.type,
                         rcode = hit.rep.rcode, answer = {hit.rr.raw}}},
          }
        end
      end
    end
  end,
}
