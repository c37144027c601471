-- propagation.resolver_mismatch: a resolver's answer cannot come from the zone's servers.
return {
  id = "propagation.resolver_mismatch",
  title = "Resolver answers differ from the zone",
  severity = "warning",
  tags = {"propagation", "resolvers", "split-horizon"},
  summary = "Some resolvers give answers that no cached copy of the zone's data explains: split-horizon DNS, filtering or interception.",
  fix = "If {resolvers} is your own or your network's resolver, look there for a local zone, forward zone, RPZ or filter covering {name} and remove it; SES sees only the public data. If it is a public resolver, retest from another network: something on the path rewrites DNS.",
  references = {"https://www.rfc-editor.org/rfc/rfc2308", "https://www.rfc-editor.org/rfc/rfc6950"},
  order = 35,
  doc = [[
Compares, for every expected record, each sampled resolver's answer with what the zone's
authoritative servers serve, and keeps only the differences a cache cannot explain:

- a negative answer (NXDOMAIN or NODATA) without the zone's SOA, or with the SOA of a zone
  that does not hold the name: not a cached negative answer but a locally served one;
- an address answer in a private, loopback or "null" range (0.0.0.0, 127.0.0.0/8, 10/8, ...)
  that the authoritative servers do not serve: a filter's sinkhole;
- REFUSED, or SERVFAIL that persists with checking disabled while every authoritative server
  answers: the resolver cannot or will not resolve the name.

Why: people test with the resolver of their office or laptop. Split-horizon DNS (an internal
copy of the zone), DNS filters and intercepting networks show them something SES never sees,
so records look missing or present when the public truth is the opposite.

Outcomes:
- warning: one finding per record, naming each resolver and its answer;
- nothing for older values with a TTL left (propagation.pending), cached negative answers
  with the zone's SOA (propagation.negative_cached), SERVFAIL cured by CD=1 (dnssec.bogus),
  or when the zone has lame servers (delegation.lame explains resolver failures).

Fix: trust the authoritative answer; find and remove the local override, or test elsewhere.
]],

  check = function(ctx)
    local sinkholes = {"0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
      "100.64.0.0/10", "169.254.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10"}

    local function sinkhole(addr)
      if ctx.lab or not addr then return false end
      for _, p in ipairs(sinkholes) do
        if dnsvet.cidr.contains(p, addr) then return true end
      end
      return false
    end

    local labels = {}
    for _, res in ipairs(ctx.resolvers or {}) do
      if res.addr then labels[res.addr] = res.label end
    end

    local lame_zones = {}
    for _, z in ipairs(ctx.zones or {}) do
      for _, s in ipairs(z.servers or {}) do
        if s.status == "lame" then lame_zones[z.name] = true end
      end
    end

    -- the answers in which some resolver refused or failed (found without opening the
    -- others): for the rest a resolver can only be wrong about data the zone serves, or
    -- about an address a sinkhole replaced
    local failing = {}
    for _, rcode in ipairs({"REFUSED", "SERVFAIL"}) do
      for _, e in ipairs(ctx:answers_with_rcode("resolvers", rcode)) do failing[e] = true end
    end

    for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
      local name = dnsvet.name.normalize(r.name)
      local entry = ctx:answers(name, r.type)
      local zone = ctx:zone_of(name)
      local zname = zone and zone.name
      -- what the zone serves, from its own servers that answered; when the zone cannot be
      -- asked (not delegated, say) there is no truth to hold the resolvers to
      local replies = dnsvet.authoritative(ctx, name, r.type) or {}
      local auth_answered, auth_values = #replies, {}
      if auth_answered > 0 then
        for _, o in ipairs(ctx:rrs("own", name, r.type)) do auth_values[o.rr.data] = true end
      end
      -- the answer sections matter only when the zone serves data a negative answer would
      -- deny, or for an address a sinkhole may have replaced
      local zone_has_data = next(auth_values) ~= nil
      local read_answers = zone_has_data or (not ctx.lab and (r.type == "A" or r.type == "AAAA"))

      if entry and auth_answered > 0 and not (zname and lame_zones[zname])
          and (read_answers or failing[entry]) then
        -- the resolvers' records at the name, by reply (the replies holding none stay closed)
        local at_name = {}
        if read_answers then
          for _, o in ipairs(ctx:rrs("resolvers", name, r.type)) do
            local list = at_name[o.reply] or {}
            list[#list + 1] = o.rr
            at_name[o.reply] = list
          end
        end
        local parts, who_list, evidence = {}, {}, {}
        for _, res in ipairs(entry.resolvers or {}) do
          local problem
          if not res.error then
            local has_data = false
            for _, rr in ipairs(at_name[res] or {}) do
              if rr.type == r.type or rr.type == "CNAME" then
                has_data = true
                if (rr.type == "A" or rr.type == "AAAA") and not auth_values[rr.data] and sinkhole(rr.address) then
                  problem = ("answers %s, an address in a private or null range that the zone does not serve (a filter's sinkhole)"):format(rr.address)
                end
              end
            end
            local negative = res.rcode == "NXDOMAIN" or (res.rcode == "NOERROR" and not has_data)
            if negative and zone_has_data then
              -- a cached negative answer carries the SOA of the zone that holds the name
              local soa
              for _, rr in ipairs(res.authority or {}) do
                if rr.type == "SOA" then soa = rr end
              end
              if not soa then
                problem = ("answers %s with no SOA in the authority section, which no cached answer of the zone would lack"):format(res.rcode)
              elseif not dnsvet.name.is_sub(name, soa.name) or (zname and not dnsvet.name.is_sub(zname, soa.name) and soa.name ~= zname) then
                problem = ("answers %s with the SOA of %s (%s), a zone that does not hold %s: it serves its own copy of the data (split horizon)")
                  :format(res.rcode, soa.name, soa.mname or "?", name)
              end
            elseif res.rcode == "REFUSED" then
              problem = "refuses the query (REFUSED)"
            elseif res.rcode == "SERVFAIL" and not (res.cd and res.cd.rcode ~= "SERVFAIL") then
              problem = "answers SERVFAIL although every authoritative server answers, and checking disabled (CD=1) does not help"
            end
          end
          if problem then
            local who = labels[res.addr] and ("%s (%s)"):format(res.addr, labels[res.addr]) or (res.addr or "?")
            who_list[#who_list + 1] = res.addr or "?"
            parts[#parts + 1] = who .. " " .. problem
            evidence[#evidence + 1] = {server = res.addr, addr = res.addr, name = name, type = r.type,
                                       rcode = res.rcode, note = problem}
          end
        end
        if #parts > 0 then
          local auth_list = {}
          for v in pairs(auth_values) do auth_list[#auth_list + 1] = v end
          table.sort(auth_list)
          local truth = #auth_list > 0 and ("`" .. table.concat(auth_list, " | ") .. "`") or "no such record"
          ctx:report{
            subject = {name = name, type = r.type},
            message = ("For %s %s the authoritative servers answer %s, but %s.")
              :format(name, r.type, truth, table.concat(parts, "; ")),
            vars = {resolvers = table.concat(who_list, ", "), name = name},
            evidence = evidence,
          }
        end
      end
    end
  end,
}
