-- record.proxied: a name that must be a CNAME answers with a CDN proxy's addresses.

-- Records owned by `name` in every reply (authoritative and resolvers) to
-- the questions `types` at that name.
local function owned(ctx, name, types)
  local list = {}
  for _, t in ipairs(types) do
    for _, side in ipairs({"auth", "resolvers"}) do
      for _, o in ipairs(ctx:rrs(side, name, t)) do
        list[#list + 1] = {rr = o.rr, rep = o.reply, auth = side == "auth"}
      end
    end
  end
  return list
end

-- The provider and prefix holding `addr`, from rules/data/cdn_ranges.yaml.
local function cdn_of(addr)
  local data = dnsvet.data("cdn_ranges") or {}
  for _, p in ipairs(data.providers or {}) do
    for _, list in ipairs({p.ipv4 or {}, p.ipv6 or {}}) do
      for _, prefix in ipairs(list) do
        if dnsvet.cidr.contains(prefix, addr) then return p, prefix end
      end
    end
  end
  return nil
end

return {
  id = "record.proxied",
  title = "CNAME record is proxied through a CDN",
  severity = "error",
  tags = {"ses", "dkim", "record", "cloudflare"},
  summary = "A name that must be a CNAME answers with the addresses of a CDN proxy: the record is proxied.",
  fix = "In {provider}'s DNS settings for {zone}, edit the record `{relative}` and change "
     .. "{feature} to {dns_only}; it must be a CNAME to `{value}`. SES needs to see the CNAME itself.",
  references = {
    "https://developers.cloudflare.com/dns/proxy-status/",
    "https://www.cloudflare.com/ips/",
  },
  order = 22,
  doc = [[
Checks every name that SES needs as a CNAME (the Easy DKIM records): when the
authoritative servers serve no CNAME there but the name answers A or AAAA
records inside the published address ranges of a CDN proxy (Cloudflare at
least; the ranges are kept in rules/data/cdn_ranges.yaml), the record was
created as proxied.

A DNS provider that is also a CDN can "proxy" a record: it then hides the
CNAME and answers with the addresses of its own edge servers. SES looks for
the CNAME to its DKIM key and finds none, so the identity never verifies.
DKIM records must be "DNS only".

Outcomes:
- error (warning for a recommended record): no CNAME at the name, and
  addresses of a CDN proxy instead; the message names the addresses, the
  provider and the matching range.
- nothing when the CNAME is served, or when the addresses are outside every
  listed range (record.wrong_type then reports an address record where a
  CNAME belongs).

Fix: switch the record's proxy status off ("DNS only" at Cloudflare).]],

  check = function(ctx)
    -- the address records of the names that should be CNAMEs but are not, asked together
    -- (a zone with its CNAMEs costs no question)
    local questions = {}
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      if r.type == "CNAME" and #ctx:rrs("auth", name, "CNAME", "CNAME") == 0
          and dnsvet.authoritative(ctx, name, "CNAME") then
        questions[#questions + 1] = {name = name, type = "A"}
        questions[#questions + 1] = {name = name, type = "AAAA"}
      end
    end
    if #questions > 0 then pcall(ctx.query, ctx, "authoritative", questions) end

    for _, r in ipairs(ctx.expect.records or {}) do
      if r.type == "CNAME" then
        local name = dnsvet.name.normalize(r.name)
        local has_cname, hit = false, nil
        for _, t in ipairs({"CNAME", "A", "AAAA"}) do
          if #ctx:rrs("auth", name, t, "CNAME") > 0 then has_cname = true end
        end
        if not has_cname then
          for _, o in ipairs(owned(ctx, name, {"CNAME", "A", "AAAA"})) do
            if (o.rr.type == "A" or o.rr.type == "AAAA") and o.rr.address and not hit then
              local provider, prefix = cdn_of(o.rr.address)
              if provider then hit = {o = o, provider = provider, prefix = prefix} end
            end
          end
        end
        if hit and not has_cname then
          local zone = ctx:zone_of(name)
          local zname = zone and zone.name or dnsvet.name.parent(name)
          local p, rep = hit.provider, hit.o.rep
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s answers %s %s (from %s), an address of %s's proxy (%s), instead of a CNAME "
              .. "to %s: the record is proxied, so SES cannot see the CNAME."):format(
              name, hit.o.rr.type, hit.o.rr.address, rep.server or rep.addr or "?", p.name or "a CDN",
              hit.prefix, dnsvet.name.normalize(r.value or "")),
            vars = {provider = p.name or "the DNS provider", zone = zname,
                    relative = dnsvet.name.relative(name, zname),
                    feature = p.feature or "the proxy setting", dns_only = p.dns_only or "DNS only",
                    value = dnsvet.name.normalize(r.value or "")},
            evidence = {{server = rep.server, addr = rep.addr, name = name, type = hit.o.rr.type,
                         rcode = rep.rcode, answer = {hit.o.rr.raw},
                         note = ("inside %s %s"):format(p.name or "CDN", hit.prefix)}},
          }
        end
      end
    end
  end,
}
