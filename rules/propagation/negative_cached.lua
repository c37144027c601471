-- propagation.negative_cached: resolvers remember "no such record" from before it was added.

local prop = dnsvet.lib("propagation")

-- The SOA in a resolver's reply that marks it as a negative answer taken from its cache:
-- NXDOMAIN, or NOERROR without data at `name` (of type `rtype` or a CNAME), with the SOA of
-- the zone holding the name (`zname`) or of a parent (cached before delegation). nil when
-- the reply is not such an answer; its sections are read only as far as that needs.
local function cached_negative_soa(res, name, rtype, zname)
  if res.error then return nil end
  if res.rcode == "NOERROR" then
    for _, rr in ipairs(res.answer or {}) do
      if rr.name == name and (rr.type == rtype or rr.type == "CNAME") then return nil end
    end
  elseif res.rcode ~= "NXDOMAIN" then
    return nil
  end
  local soa
  for _, rr in ipairs(res.authority or {}) do
    if rr.type == "SOA" and dnsvet.name.is_sub(name, rr.name)
        and (not zname or dnsvet.name.is_sub(zname, rr.name)) then soa = rr end
  end
  return soa
end

return {
  id = "propagation.negative_cached",
  title = "Resolvers cached a negative answer",
  severity = "warning",
  tags = {"propagation", "resolvers", "ttl", "negative-caching"},
  summary = "The record exists now, but some resolvers cached NXDOMAIN or NODATA from an earlier lookup and keep it until the negative TTL runs out.",
  fix = "Nothing to change in DNS: the cached negative answers expire by {when} (in {wait}). Next time, add all records before anything looks them up; a lower SOA MINIMUM in {zone}{minimum} shortens this wait.",
  references = {"https://www.rfc-editor.org/rfc/rfc2308#section-5"},
  order = 30,
  doc = [[
For every expected record that all the zone's authoritative servers serve correctly, looks for
resolvers that still answer NXDOMAIN (no such name) or NODATA (no record of that type) with the
zone's SOA in the authority section: the mark of a negative answer taken from their cache. For a
CNAME, an NXDOMAIN to the TXT lookup through it counts too: DKIM keys are read that way.

Why: a lookup made before the record existed (by SES itself right after the identity was
created, or by someone testing) is cached as "does not exist" for the zone's negative TTL, the
smaller of the SOA record's TTL and its MINIMUM field (RFC 2308). Until then those resolvers
answer as if the record were missing.

Outcomes:
- warning: one finding per record, naming each resolver and when its negative entry expires
  (the SOA TTL it returns is the time left); `expires` is the latest of them;
- nothing when the authoritative servers do not all serve the record, or every resolver
  already sees it. A negative answer without the SOA cannot come from a cache of the zone's
  answer and is left to propagation.resolver_mismatch.

Fix: wait. To avoid it, publish the records before creating the SES identity or testing, and
keep the SOA MINIMUM modest (300 to 3600 seconds).
]],

  check = function(ctx)
    local who = prop.namer(ctx)

    for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
      local name = prop.norm(r.name)
      -- only a record every server serves right can have been cached as absent before
      if prop.served_right(ctx, r, name) then
        local entry = ctx:answers(name, r.type)
        local zone = ctx:zone_of(name)
        local zname = zone and zone.name
        local parts, evidence, latest, longest, said = {}, {}, nil, 0, {}

        -- one resolver's reply to the question `qtype`, noted when it is a cached negative answer
        local function look_at(res, qtype)
          if said[res.addr or "?"] then return end
          local soa = cached_negative_soa(res, name, r.type, zname)
          if not soa then return end
          said[res.addr or "?"] = true
          local left = math.min(soa.ttl or 0, soa.minimum or soa.ttl or 0)
          local at = (ctx.now or 0) + left
          local what = res.rcode == "NXDOMAIN" and "NXDOMAIN (no such name)" or ("NODATA (no " .. r.type .. " record)")
          if qtype ~= r.type then what = what .. " to " .. qtype .. " lookups" end
          parts[#parts + 1] = ("%s still answers %s from its cache for another %s (until %s)")
            :format(who(res.addr) or "?", what, prop.duration(left), dnsvet.fmt_time(at))
          if not latest or at > latest then latest = at end
          if left > longest then longest = left end
          evidence[#evidence + 1] = {server = res.addr, addr = res.addr, name = name, type = qtype,
            rcode = res.rcode, answer = {soa.raw or soa.data}, note = ("negative answer cached, %d s left"):format(left)}
        end

        for _, res in ipairs((entry and entry.resolvers) or {}) do look_at(res, r.type) end
        -- a DKIM key is read with a TXT query through the CNAME: a cached NXDOMAIN for
        -- that question hides the name just as one for the CNAME itself does
        if r.type == "CNAME" then
          local txt = ctx:answers(name, "TXT")
          for _, res in ipairs((txt and txt.resolvers) or {}) do
            if res.rcode == "NXDOMAIN" then look_at(res, "TXT") end
          end
        end

        if #parts > 0 then
          local zsoa = zone and zone.soa
          ctx:report{
            subject = {name = name, type = r.type},
            message = ("The authoritative servers serve %s %s `%s`, but %s: the name was looked up before the record existed.")
              :format(name, r.type, r.value, table.concat(parts, "; ")),
            vars = {when = dnsvet.fmt_time(latest), wait = prop.duration(longest),
                    zone = zone and zone.name or dnsvet.name.parent(name),
                    minimum = (zsoa and zsoa.minimum) and (" (now " .. zsoa.minimum .. " s)") or ""},
            expires = latest,
            evidence = evidence,
          }
        end
      end
    end
  end,
}
