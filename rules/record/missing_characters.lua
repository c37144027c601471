-- record.missing_characters: the value is the expected one with characters lost.

local record = dnsvet.lib("record")
local found_values, strip, reported = record.found_values, record.strip, record.reported

-- Characters of `long` that `short` lacks when `short` is `long` with up to
-- `max` characters deleted; nil otherwise.
local function deleted(short, long, max)
  if #long - #short > max or #short >= #long then return nil end
  local lost, i = {}, 1
  for j = 1, #long do
    if short:sub(i, i) == long:sub(j, j) and i <= #short then
      i = i + 1
    else
      lost[#lost + 1] = long:sub(j, j)
      if #lost > max then return nil end
    end
  end
  if i <= #short then return nil end
  return table.concat(lost)
end

-- Where `got` first departs from `want`, with a little of `want` around it.
local function first_difference(got, want)
  local i = 1
  while i <= #want and got:sub(i, i) == want:sub(i, i) do i = i + 1 end
  local from = math.max(1, i - 6)
  return (" (first difference at character %d: `%s%s`)"):format(
    i, from > 1 and "..." or "", want:sub(from, i + 6))
end

-- How `got` falls short of `want`, in words, or nil when it is not a near copy.
local function shortfall(got, want)
  if #got >= 4 and #got < #want then
    if want:sub(1, #got) == got and want:sub(#got + 1):match("^=+$") then
      return ("its trailing `%s` was lost"):format(want:sub(#got + 1))
    end
    if want:sub(1, #got) == got then
      return ("its last %d character(s) `%s` are missing (a truncated paste)"):format(#want - #got, want:sub(#got + 1))
    end
    if want:sub(-#got) == got then
      return ("its first %d character(s) `%s` are missing"):format(#want - #got, want:sub(1, #want - #got))
    end
  end
  local lost = deleted(got, want, 3)
  if lost then return ("the character(s) `%s` were lost"):format(lost) .. first_difference(got, want) end
  if #want >= 8 then
    local d = dnsvet.edit_distance(got, want)
    if d <= 2 then
      return ("it differs in %d character(s), a typing or copying slip"):format(d) .. first_difference(got, want)
    end
  end
  return nil
end

local SKIP_ROLES = {spf = true, mail_from_spf = true, dmarc = true}

return {
  id = "record.missing_characters",
  title = "Record value has characters missing",
  severity = "error",
  tags = {"ses", "record", "value"},
  summary = "The value is the expected one with characters lost: truncated, a lost `=`, or a small slip.",
  fix = "Edit the {type} record `{relative}` in {zone} and replace its value with `{value}`, "
     .. "copied in full from the SES console (including any trailing `=`).",
  references = {"https://repost.aws/knowledge-center/ses-verify-domain-pending"},
  order = 32,
  doc = [[
Compares the value of every expected CNAME and TXT record (DKIM, BYODKIM, the
legacy `_amazonses` token) with the value SES gave, and fires when the stored
value is a near copy that lost characters: cut off at the end or the start (a
partial selection when copying), one to three characters dropped (the final
`=` of a base64 token is the classic), or at most two characters different in
a value of eight or more. CNAME targets are compared without letter case.

SES compares values exactly; a token one character short never verifies.

Outcomes:
- error (warning for a recommended record): no server serves the exact value,
  and one serves a near copy; the message says which characters are missing.
- nothing when the exact value is served, or when the difference is only
  added quotes or spaces (record.extra_characters), only letter case
  (record.case_changed), or large (record.wrong_value). SPF and DMARC records
  are checked by the spf.* and dmarc.* rules instead.

Fix: copy the whole value again from the SES console and replace the stored one.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      if (r.type == "CNAME" or r.type == "TXT") and not SKIP_ROLES[r.role] and r.value
         and r.comparable ~= false then
        local name = dnsvet.name.normalize(r.name)
        local want = r.type == "CNAME" and dnsvet.name.normalize(r.value) or r.value
        local found, exact, hit, how = found_values(ctx, r, name), false, nil, nil
        for _, f in ipairs(found) do
          if f.value == want then exact = true end
        end
        -- one server with the exact value is enough: nothing to look into
        for _, f in ipairs(exact and {} or found) do
          local got = strip(f.value, want)
          local other_kind = got == want or got:lower() == want:lower()
          local h = not other_kind and shortfall(got, want)
          if h and not hit then hit, how = f, h end
        end
        local explained = hit and reported(ctx, name, r.type)
        if hit and not explained then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s %s on %s holds `%s` where `%s` is expected: %s."):format(
              name, r.type, hit.rep.server or hit.rep.addr or "?", hit.value, want, how),
            vars = {type = r.type, relative = dnsvet.name.relative(name, zname), zone = zname, value = want},
            evidence = {{server = hit.rep.server, addr = hit.rep.addr, name = name, type = r.type,
                         rcode = hit.rep.rcode, answer = {hit.rr.raw}}},
          }
        end
      end
    end
  end,
}
