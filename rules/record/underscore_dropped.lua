-- record.underscore_dropped: the record sits at the name without its underscores.

local auth_rrs = dnsvet.lib("record").auth_rrs

-- Names a provider that rejects `_` may have stored instead of `name`:
-- underscores removed, replaced by a hyphen, or the underscore label left out.
local function variants(name)
  local list = {}
  if not name:find("_", 1, true) then return list end
  list[#list + 1] = (name:gsub("_", ""))
  list[#list + 1] = (name:gsub("_", "-"))
  local kept = {}
  for _, label in ipairs(dnsvet.name.labels(name)) do
    if label:sub(1, 1) ~= "_" then kept[#kept + 1] = label end
  end
  list[#list + 1] = table.concat(kept, ".")
  return list
end

-- Whether a record found at a variant name is plausibly the one that was meant,
-- so that an unrelated record at, say, the apex is not taken for it.
local function plausible(r, rr)
  if rr.type == "CNAME" then
    local t = dnsvet.name.normalize(rr.target)
    return t == dnsvet.name.normalize(r.value or "") or t:find("amazonses%.com$") ~= nil
  end
  local text = (rr.text or ""):lower()
  if r.role == "dmarc" then return text:find("v=dmarc1", 1, true) ~= nil end
  if r.role == "byodkim" then return text:find("p=", 1, true) ~= nil end
  if r.value and r.value ~= "" then
    return text:find(r.value:lower(), 1, true) ~= nil
  end
  return false
end

return {
  id = "record.underscore_dropped",
  title = "Record published without the underscore in its name",
  severity = "error",
  tags = {"ses", "record", "name"},
  summary = "The record sits at the expected name with its underscores removed or replaced.",
  fix = "The name must be `{relative}` in {zone}, with the underscore; the record is at `{found}`. "
     .. "If the provider's form refuses `_`, ask its support to add the record for you, or move "
     .. "the zone to a DNS host that accepts underscores in names (most do). Then delete the misplaced {type} record `{value}` at `{found}`.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html"},
  order = 20,
  doc = [[
Checks the names that carry an underscore label (`_domainkey`, `_dmarc`,
`_amazonses`): when the record is missing there, it looks for it at the same
name with the underscores removed (`tok.domainkey.example.com`), replaced by a
hyphen (`tok.-domainkey.example.com`), or with the underscore label left out
(`tok.example.com`).

A few DNS providers reject `_` in record names and silently rewrite the name
or make the user drop it. SES and mail receivers only ever look at the
underscore name, so the record is as good as missing.

Outcomes:
- error (warning for a recommended record): the expected name has no record of
  the type, and a rewritten name holds a record that looks like the intended one
  (a CNAME into amazonses.com, a DMARC or key record, the expected token).
- nothing otherwise; record.missing reports a plain absence.

Fix: publish the record under the exact name with its underscore; if the
provider cannot, its support can, or the zone needs a provider that accepts
underscores.]],

  check = function(ctx)
    -- the records with an underscore the zone's servers answered for without holding them,
    -- and their variants, asked together (a complete zone costs no question)
    local missing, questions = {}, {}
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      local vs = variants(name)
      if #vs > 0 and dnsvet.authoritative(ctx, name, r.type) and #auth_rrs(ctx, name, r.type) == 0 then
        missing[#missing + 1] = {r = r, name = name, variants = vs}
        for _, v in ipairs(vs) do questions[#questions + 1] = {name = v, type = r.type} end
      end
    end
    -- a variant that cannot be asked is taken as empty
    if #questions > 0 then pcall(ctx.query, ctx, "authoritative", questions) end

    for _, m in ipairs(missing) do
      local r, name = m.r, m.name
      for _, v in ipairs(m.variants) do
        local hit
        for _, h in ipairs(auth_rrs(ctx, v, r.type)) do
          if plausible(r, h.rr) then hit = h break end
        end
        if hit then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          local value = hit.rr.target or hit.rr.text or hit.rr.data
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s %s is not published, but %s holds %s `%s` (%s): the underscore of the "
              .. "name was dropped, and SES and mail receivers look only at %s."):format(
              name, r.type, v, r.type, value, hit.rep.server or hit.rep.addr or "?", name),
            vars = {relative = dnsvet.name.relative(name, zname), zone = zname, found = v,
                    type = r.type, value = value},
            evidence = {{server = hit.rep.server, addr = hit.rep.addr, name = v, type = r.type,
                         rcode = hit.rep.rcode, answer = {hit.rr.raw}}},
          }
          break
        end
      end
    end
  end,
}
