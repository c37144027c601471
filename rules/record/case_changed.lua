-- record.case_changed: the TXT value differs only in letter case.

local record = dnsvet.lib("record")
local found_values, reported = record.found_values, record.reported

local SKIP_ROLES = {spf = true, mail_from_spf = true, dmarc = true}

return {
  id = "record.case_changed",
  title = "Record value differs only in letter case",
  severity = "error",
  tags = {"ses", "record", "value"},
  summary = "The TXT value matches the expected one except for letter case: the provider changed it.",
  fix = "Set the TXT record `{relative}` in {zone} to exactly `{value}`, with its capitals. "
     .. "If the provider lowercases TXT values when saving, ask its support to store the value "
     .. "as entered, or host the zone with a provider that keeps TXT values unchanged.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html"},
  order = 31,
  doc = [[
Compares the value of every expected TXT record (the legacy `_amazonses`
token, the BYODKIM public key, other custom records) with the value SES gave,
and fires when they are equal ignoring letter case but not exactly equal.

Some DNS providers lowercase every value they store. Names are compared
without case in DNS, but TXT data is not: base64 tokens and keys are
case-sensitive, and SES verifies only when the value matches exactly. CNAME
targets are names, so a case change there is harmless and not reported.

Outcomes:
- error (warning for a recommended record): no server serves the exact value,
  and one serves it with other letter case; the message shows both.
- nothing when the exact value is served or the difference is of another kind.
  SPF and DMARC records are checked by the spf.* and dmarc.* rules instead.

Fix: re-enter the value exactly; if the provider keeps lowercasing it, its
support has to store it, or the zone has to move to another provider.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      if r.type == "TXT" and not SKIP_ROLES[r.role] and r.value and r.comparable ~= false then
        local name = dnsvet.name.normalize(r.name)
        local want = r.value
        local exact, hit = false, nil
        for _, f in ipairs(found_values(ctx, r, name)) do
          if f.value == want then exact = true end
          if f.value ~= want and f.value:lower() == want:lower() and not hit then hit = f end
        end
        local explained = hit and not exact and reported(ctx, name, r.type)
        if hit and not exact and not explained then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          local lowered = hit.value == hit.value:lower()
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s TXT on %s holds `%s` where `%s` is expected: the letters differ only in case%s. "
              .. "TXT values are compared exactly."):format(
              name, hit.rep.server or hit.rep.addr or "?", hit.value, want,
              lowered and " (the value was lowercased)" or ""),
            vars = {relative = dnsvet.name.relative(name, zname), zone = zname, value = want},
            evidence = {{server = hit.rep.server, addr = hit.rep.addr, name = name, type = r.type,
                         rcode = hit.rep.rcode, answer = {hit.rr.raw}}},
          }
        end
      end
    end
  end,
}
