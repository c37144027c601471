-- record.name_double_suffix: the provider appended the zone to a name entered in full.

-- Zones a provider might have appended, guessed before the delegation is known:
-- the identity (taken from the DKIM/DMARC names) and each of its parents down to
-- two labels.
local function identity_zones(expect)
  local list, seen = {}, {}
  local function add(z)
    if z and z ~= "" and not seen[z] then
      seen[z] = true
      list[#list + 1] = z
    end
  end
  add(expect.zone_guess)
  for _, r in ipairs(expect.records or {}) do
    local id = r.name:match("%._domainkey%.(.+)$") or r.name:match("^_dmarc%.(.+)$")
    while id and #dnsvet.name.labels(id) >= 2 do
      add(id)
      id = dnsvet.name.parent(id)
    end
  end
  return list
end

-- The guessed zones `name` is in.
local function zones_above(zones, name)
  local list = {}
  for _, z in ipairs(zones) do
    if dnsvet.name.is_sub(name, z) then list[#list + 1] = z end
  end
  return list
end

return {
  id = "record.name_double_suffix",
  title = "Record published under the zone name twice",
  severity = "error",
  tags = {"ses", "record", "name"},
  summary = "The DNS provider appended the zone to a record name that was entered in full.",
  fix = "In the DNS provider's form for {zone}, enter `{relative}` as the name (not `{name}`): "
     .. "the provider adds `.{zone}` by itself. Alternatively end the full name with a dot (`{name}.`) "
     .. "if the form accepts it. Then delete the record at `{found}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html",
    "https://repost.aws/knowledge-center/ses-verify-domain-pending",
  },
  order = 20,
  doc = [[
Checks, for every record the identity needs, whether it was published at the
expected name followed by the zone name once more, for example
`tok._domainkey.example.com.example.com` instead of `tok._domainkey.example.com`.

Many DNS control panels take the name field as relative to the zone and append
the zone to whatever is typed. Typing the full name therefore doubles the zone.
SES looks up the correct name, gets NXDOMAIN, and the identity stays pending
until it fails after 72 hours.

Outcomes:
- error (warning for a recommended record): the expected name has no record of
  the type on the authoritative servers, but the doubled name has one. The
  message names both and the value found.
- nothing: the record is at the right name, or the doubled name is empty too
  (record.missing then reports the absence).

Fix: enter only the part before the zone (`tok._domainkey`), or the full name
with a final dot, then delete the misplaced record.]],

  check = function(ctx)
    local zones = identity_zones(ctx.expect)
    -- the records the zone's servers answered for without holding them, and the doubled
    -- names to look at, asked together (a complete zone costs no question)
    local missing, questions = {}, {}
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      if dnsvet.authoritative(ctx, name, r.type) and #ctx:rrs("own", name, r.type, r.type) == 0 then
        local zone = ctx:zone_of(name)
        local candidates = {}
        if zone then candidates[1] = zone.name end
        for _, z in ipairs(zones_above(zones, name)) do
          if not zone or z ~= zone.name then candidates[#candidates + 1] = z end
        end
        missing[#missing + 1] = {r = r, name = name, candidates = candidates}
        for _, z in ipairs(candidates) do
          questions[#questions + 1] = {name = name .. "." .. z, type = r.type}
        end
      end
    end
    -- a doubled name that cannot be asked is taken as empty
    if #questions > 0 then pcall(ctx.query, ctx, "authoritative", questions) end

    for _, m in ipairs(missing) do
      local r, name, candidates = m.r, m.name, m.candidates
      for _, z in ipairs(candidates) do
        local doubled = name .. "." .. z
        local hits = ctx:rrs("own", doubled, r.type, r.type)
        if #hits > 0 then
          local rr, rep = hits[1].rr, hits[1].reply
          local value = rr.target or rr.text or rr.data
          local msg = ("%s %s is not on the authoritative servers of %s, but %s %s answers `%s` "
            .. "(%s): the provider appended %s to a name that was entered in full.")
            :format(name, r.type, z, doubled, r.type, value, rep.server or rep.addr, z)
          if r.value and r.comparable ~= false and not dnsvet.rr.same_value(r.type, value, r.value) then
            msg = msg .. (" Its value also differs from the expected `%s`."):format(r.value)
          end
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = msg,
            vars = {zone = z, relative = dnsvet.name.relative(name, z), name = name, found = doubled},
            evidence = {{server = rep.server, addr = rep.addr, name = doubled, type = r.type,
                         rcode = rep.rcode, answer = {rr.raw}}},
          }
          break
        end
      end
    end
  end,
}
