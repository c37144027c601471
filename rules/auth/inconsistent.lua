-- auth.inconsistent: the servers of one zone do not serve the same data.
return {
  id = "auth.inconsistent",
  title = "Authoritative servers disagree",
  severity = "warning",
  tags = {"servers", "zone-transfer", "record"},
  summary = "The name servers of one zone give different answers: a secondary is out of sync.",
  fix = "Make {behind} serve the current zone: check the zone transfers from the primary{primary} to them (NOTIFY, allow-transfer or provide-xfr, TCP port 53 open); or, if the servers belong to separate DNS hosts without transfers, enter the change at each host.",
  references = {"https://www.rfc-editor.org/rfc/rfc1996", "https://www.rfc-editor.org/rfc/rfc5936"},
  order = 25,
  doc = [[
Compares, for one zone, the SOA serial each of its servers reports and, for every expected
record, the answer each server gives (rcode and the record set at the name).

Why: resolvers pick one server at random. If some servers lack the record, SES finds it on
one check and not on the next; the identity may stay pending, or verify and later fail. The
usual cause is a secondary that no longer receives zone transfers, or two DNS hosts both
listed in the NS set but edited separately.

Outcomes:
- error: the servers disagree about a required record (some lack it or give another value);
- warning: they disagree about a recommended record;
- warning: their SOA serials differ (a secondary is behind), even if the expected records
  happen to agree;
- nothing when every answering server gives the same data and serial.
Only the zone's own servers (parent or child NS set) are compared; servers that do not answer
are left to delegation.lame.

Fix: repair the transfer to the lagging servers, or, without transfers, enter the change at
every DNS host listed in the NS set.
]],

  check = function(ctx)
    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    -- what one server said, as one comparable string (`values` is nil when it gave no data)
    local function signature(reply, values, rtype)
      if values == nil then
        return reply.rcode == "NXDOMAIN" and "NXDOMAIN (no such name)" or (reply.rcode .. " with no " .. rtype)
      end
      table.sort(values)
      return "`" .. table.concat(values, " | ") .. "`"
    end

    -- a record found only off the delegation is delegation.records_elsewhere's case
    local function explained(name, rtype)
      local ok, list = pcall(ctx.findings, ctx, name, rtype)
      return ok and type(list) == "table" and #list > 0
    end

    local function primary(zone)
      local soa = zone and zone.soa
      return (soa and soa.mname) and (" (" .. soa.mname .. ")") or ""
    end

    local serial_reported = {}
    for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
      local name = dnsvet.name.normalize(r.name)
      -- only servers that answered for the zone are compared: a refusal or a timeout is
      -- delegation.lame's subject, not a different answer; a single server cannot disagree
      local replies = dnsvet.authoritative(ctx, name, r.type)
      if replies and #replies > 1 then
        -- the values each server gives, then what each said as one string
        local values_of = {}
        for _, o in ipairs(ctx:rrs("own", name, r.type, r.type)) do
          local values = values_of[o.reply]
          if values then values[#values + 1] = o.rr.data else values_of[o.reply] = {o.rr.data} end
        end
        local sigs, differ = {}, false
        for i, reply in ipairs(replies) do
          sigs[i] = signature(reply, values_of[reply], r.type)
          if sigs[i] ~= sigs[1] then differ = true end
        end
        -- when they all agree (the usual case) there is nothing more to look at
        if differ and not explained(name, r.type) then
          local groups, order = {}, {}
          for i, reply in ipairs(replies) do
            local sig = sigs[i]
            if not groups[sig] then
              groups[sig] = {}
              order[#order + 1] = sig
            end
            table.insert(groups[sig], reply)
          end
          local parts, evidence, behind = {}, {}, {}
          -- the larger group is taken as current; the others are behind
          table.sort(order, function(a, b) return #groups[a] > #groups[b] end)
          for i, sig in ipairs(order) do
            local servers = {}
            for _, reply in ipairs(groups[sig]) do
              servers[#servers + 1] = ("%s (%s)"):format(reply.server or "?", reply.addr or "?")
              if i > 1 then behind[#behind + 1] = reply.server or reply.addr end
              evidence[#evidence + 1] = {server = reply.server, addr = reply.addr, name = name,
                type = r.type, rcode = reply.rcode, note = sig}
            end
            parts[#parts + 1] = ("%s answer%s %s"):format(table.concat(servers, ", "),
              #servers == 1 and "s" or "", sig)
          end
          local zone = ctx:zone_of(name)
          ctx:report{
            subject = {name = name, type = r.type},
            severity = r.required and "error" or "warning",
            message = ("The servers of %s disagree about %s %s: %s. Resolvers, SES included, get one or the other at random.")
              :format(zone and zone.name or dnsvet.name.parent(name), name, r.type, table.concat(parts, "; ")),
            vars = {behind = table.concat(behind, ", "), primary = primary(zone)},
            evidence = evidence,
          }
          if zone then serial_reported[zone.name] = true end
        end
      end
    end

    for _, z in ipairs(ctx.zones or {}) do
      -- servers that all report one serial (the usual case) need no closer look
      local first, differ = nil, false
      if not serial_reported[z.name] then
        for _, s in ipairs(z.servers or {}) do
          if s.status ~= "lame" and s.serial then
            first = first or s.serial
            if s.serial ~= first then differ = true end
          end
        end
      end
      if differ then
        local serials, order = {}, {}
        for _, s in ipairs(z.servers or {}) do
          if s.status ~= "lame" and s.serial and in_zone(s) then
            if not serials[s.serial] then
              serials[s.serial] = {}
              order[#order + 1] = s.serial
            end
            table.insert(serials[s.serial], s)
          end
        end
        if #order > 1 then
          table.sort(order, function(a, b) return a > b end)
          local parts, behind, evidence = {}, {}, {}
          for i, serial in ipairs(order) do
            local names = {}
            for _, s in ipairs(serials[serial]) do
              names[#names + 1] = ("%s (%s)"):format(s.name or "?", s.addr or "?")
              if i > 1 then behind[#behind + 1] = s.name or s.addr end
              evidence[#evidence + 1] = {server = s.name, addr = s.addr, name = z.name, type = "SOA",
                                         note = "serial " .. tostring(serial)}
            end
            parts[#parts + 1] = ("serial %s at %s"):format(tostring(serial), table.concat(names, ", "))
          end
          ctx:report{
            subject = {name = z.name, type = "SOA"},
            message = ("The servers of %s serve different versions of the zone: %s. Changes made at the primary have not reached %s.")
              :format(z.name, table.concat(parts, "; "), table.concat(behind, ", ")),
            vars = {behind = table.concat(behind, ", "), primary = primary(z)},
            evidence = evidence,
          }
        end
      end
    end
  end,
}
