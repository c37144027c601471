-- record.value_zone_appended: a target entered without its final dot got the zone appended.

local auth_rrs = dnsvet.lib("record").auth_rrs

-- The expected target name: a CNAME value, or the exchange of an MX value
-- ("10 feedback-smtp.us-east-1.amazonses.com").
local function expected_target(r)
  local v = r.value or ""
  if r.type == "MX" then v = v:match("^%s*%d+%s+(%S+)") or v end
  return dnsvet.name.normalize(v)
end

return {
  id = "record.value_zone_appended",
  title = "Record value has the zone appended",
  severity = "error",
  tags = {"ses", "record", "value"},
  summary = "A target name was entered without a final dot and the provider appended the zone to it.",
  fix = "Edit the {type} record `{relative}` in {zone} and enter the value with a final dot: "
     .. "`{value}.` (the dot tells the provider the name is complete). "
     .. "The value must read `{value}`, not `{found}`.",
  references = {"https://repost.aws/knowledge-center/ses-verify-domain-pending"},
  order = 26,
  doc = [[
Checks the target of every expected CNAME (the Easy DKIM records) and the
exchange of every expected MX (the MAIL FROM record): it fires when the target
is the expected name followed by more labels, as in
`tok.dkim.amazonses.com.example.com`.

Zone files and many DNS panels read a name without a final dot as relative to
the zone and append the zone to it. The record then points to a name under the
user's own zone that does not exist, so the DKIM key or the bounce route is
not found.

Outcomes:
- error (warning for a recommended record): the value has a suffix appended;
  the message shows the stored value and the suffix.
- nothing when the value is the expected one or differs otherwise (other
  record rules explain those).

Fix: enter the value with a final dot, or in a panel that shows the zone next
to the field, enter it exactly as SES lists it and check the saved record.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      if r.type == "CNAME" or r.type == "MX" then
        local name = dnsvet.name.normalize(r.name)
        local want = expected_target(r)
        local hits = auth_rrs(ctx, name, r.type)
        local good, bad = false, nil
        for _, h in ipairs(hits) do
          local t = dnsvet.name.normalize(h.rr.target or h.rr.exchange or "")
          if t == want then good = true end
          if want ~= "" and t:sub(1, #want + 1) == want .. "." then bad = {h = h, t = t} end
        end
        if bad and not good then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          local suffix = bad.t:sub(#want + 2)
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s %s points to %s (on %s): `%s` was appended to the expected %s, "
              .. "so the value names a host that does not exist."):format(
              name, r.type, bad.t, bad.h.rep.server or bad.h.rep.addr or "?", suffix, want),
            vars = {type = r.type, relative = dnsvet.name.relative(name, zname), zone = zname,
                    value = want, found = bad.t},
            evidence = {{server = bad.h.rep.server, addr = bad.h.rep.addr, name = name, type = r.type,
                         rcode = bad.h.rep.rcode, answer = {bad.h.rr.raw}}},
          }
        end
      end
    end
  end,
}
