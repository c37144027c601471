-- dnssec.bogus: validating resolvers reject correct data because the DNSSEC chain is broken.
return {
  id = "dnssec.bogus",
  title = "Broken DNSSEC hides the records",
  severity = "error",
  tags = {"dnssec", "resolvers"},
  summary = "Validating resolvers answer SERVFAIL, yet answer with checking disabled: the signatures or the DS do not match.",
  fix = "Repair the chain of trust of {zone}: compare `dig +cd DS {zone}` (what the registrar published) with `dig +cd DNSKEY {zone}` (the keys the zone serves); if the zone is no longer signed (for example after moving DNS hosts), remove the DS record at the registrar; otherwise publish a DS at the registrar that matches the zone's current KSK, or re-sign the zone if its signatures expired.",
  references = {"https://www.rfc-editor.org/rfc/rfc4035#section-5.5",
                "https://www.rfc-editor.org/rfc/rfc6840"},
  order = 10,
  doc = [[
Looks at every resolver reply that is SERVFAIL and at the retry dnsvet made with the CD
(checking disabled) bit. When the retry succeeds and the authoritative servers answer the
question normally, the data exists and only DNSSEC validation rejects it.

Why: SES and most large public resolvers validate DNSSEC. A DS record at the registrar that
matches no DNSKEY (typically left behind after moving to a DNS host that does not sign),
expired signatures, or a missing DNSKEY make every name of the zone fail to resolve, however
correct the records are.

Outcomes:
- error: one finding per zone, naming the resolvers that fail and the names affected;
- nothing when the CD=1 retry fails too (the problem is not DNSSEC; see delegation.lame), or
  when the authoritative servers themselves fail.

Fix: make the DS at the registrar match the zone's key signing key, or remove the DS when the
zone is not signed any more; re-sign the zone when its RRSIGs expired.
]],

  check = function(ctx)
    local labels = {}
    for _, res in ipairs(ctx.resolvers or {}) do
      if res.addr then labels[res.addr] = res.label end
    end

    local by_zone, zones_order = {}, {}
    -- only entries a resolver answered SERVFAIL can show the fault; the others stay unread
    for _, entry in ipairs(ctx:answers_with_rcode("resolvers", "SERVFAIL")) do
      local auth_ok, auth_asked = false, false
      for _, reply in ipairs(entry.auth or {}) do
        auth_asked = true
        if not reply.error and (reply.rcode == "NOERROR" or reply.rcode == "NXDOMAIN") then
          auth_ok = true
        end
      end
      if auth_ok or not auth_asked then
        for _, res in ipairs(entry.resolvers or {}) do
          local cd = res.cd
          if res.rcode == "SERVFAIL" and cd and (cd.rcode == "NOERROR" or cd.rcode == "NXDOMAIN") then
            local zone = ctx:zone_of(entry.name)
            local zname = zone and zone.name or dnsvet.name.parent(entry.name)
            local z = by_zone[zname]
            if not z then
              z = {zone = zone, resolvers = {}, rlist = {}, names = {}, nlist = {}, evidence = {}}
              by_zone[zname] = z
              zones_order[#zones_order + 1] = zname
            end
            local rlabel = labels[res.addr or ""] and ("%s (%s)"):format(res.addr, labels[res.addr]) or res.addr or "?"
            if not z.resolvers[rlabel] then
              z.resolvers[rlabel] = true
              z.rlist[#z.rlist + 1] = rlabel
            end
            local q = entry.name .. " " .. entry.type
            if not z.names[q] then
              z.names[q] = true
              z.nlist[#z.nlist + 1] = q
            end
            z.evidence[#z.evidence + 1] = {server = res.addr, addr = res.addr, name = entry.name,
              type = entry.type, rcode = "SERVFAIL", note = "CD=1 retry: " .. cd.rcode}
          end
        end
      end
    end

    -- Name the records the user cares about; dnsvet's own near-miss probes only add noise.
    local wanted = {}
    for _, r in ipairs(ctx.expect.records or {}) do
      wanted[dnsvet.name.normalize(r.name) .. " " .. r.type] = true
    end
    local function shown(nlist)
      local first, rest = {}, {}
      for _, q in ipairs(nlist) do
        if wanted[q] then first[#first + 1] = q else rest[#rest + 1] = q end
      end
      for _, q in ipairs(rest) do first[#first + 1] = q end
      if #first <= 4 then return table.concat(first, ", ") end
      return ("%s and %d other questions"):format(table.concat(first, ", ", 1, 4), #first - 4)
    end

    for _, zname in ipairs(zones_order) do
      local z = by_zone[zname]
      ctx:report{
        subject = {name = zname, type = "DS"},
        message = ("%s answer SERVFAIL for %s, but answer when asked with checking disabled (CD=1), and the authoritative servers serve the data: DNSSEC validation of %s fails, so validating resolvers, SES included, see nothing.")
          :format(table.concat(z.rlist, ", "), shown(z.nlist), zname),
        vars = {zone = zname},
        evidence = z.evidence,
      }
    end
  end,
}
