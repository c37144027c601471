-- delegation.records_elsewhere: the record was added at a DNS host the domain is not delegated to.
return {
  id = "delegation.records_elsewhere",
  title = "Record added on servers the domain is not delegated to",
  severity = "error",
  tags = {"delegation", "ses", "record"},
  summary = "The record exists, but on name servers that the registrar's delegation does not point to.",
  fix = "Add `{relative}` ({type} `{value}`) at the DNS host of {delegated}, where the domain is delegated; or, if {elsewhere} should serve {zone}, set the name servers at the registrar to {elsewhere}.",
  references = {"https://repost.aws/knowledge-center/ses-verify-domain-pending-unverified"},
  order = 20,
  doc = [[
For every expected record, compares the answers of the delegated servers (those in the parent
zone's referral) with the answers of the other servers dnsvet asked: servers listed only in the
zone's own NS set, the SOA MNAME, and the servers given with `--edited-ns` (where the user says
the records were entered).

Why: resolvers, SES among them, only ask the servers the registrar delegates to. A record
entered at another DNS host (an old host after a move, a second account, the registrar's
parking DNS while the domain points elsewhere) is invisible to them however long one waits.

Outcomes:
- error: every delegated server that answers for the zone lacks the record, and at least one of the other
  servers serves it; the message says where it was added and where the domain is delegated;
- nothing when a delegated server serves the record (partial presence is auth.inconsistent),
  when no other server has it (record.missing and the near-miss rules explain that), or
  when the zone cannot be asked or no delegated server answered for it (delegation.*,
  engine.unreachable): then whether the delegated servers hold the record is unknown.

Fix: add the record at the DNS host the domain is delegated to, or move the delegation at the
registrar to the host that holds the records.
]],

  check = function(ctx)
    local function has(list, what)
      for _, x in ipairs(list or {}) do if x == what then return true end end
      return false
    end

    for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
      local name = dnsvet.name.normalize(r.name)
      -- the replies holding the record, and whether a server the parent does not name is
      -- among them: without one there is nothing to report
      local holders, outside = {}, false
      for _, o in ipairs(ctx:rrs("auth", name, r.type, r.type)) do
        local reply = o.reply
        holders[reply] = true
        if not outside and reply.source ~= nil and not has(reply.source, "parent") then outside = true end
      end
      -- the delegated servers that answered for the zone; when the zone cannot be asked
      -- (not delegated at all, say) or none of them answered, whether they hold the record
      -- is unknown and delegation.* or engine.unreachable explain the domain
      local replies, zone = nil, nil
      if outside then replies, zone = dnsvet.authoritative(ctx, name, r.type) end
      if replies then
        local function holds(reply) return holders[reply] == true end
        local delegated_seen, delegated_has = 0, false
        local elsewhere, evidence, delegated_names, seen = {}, {}, {}, {}
        for _, reply in ipairs(replies) do
          if reply.source == nil or has(reply.source, "parent") then
            if not seen[reply.server or "?"] then
              seen[reply.server or "?"] = true
              delegated_names[#delegated_names + 1] = reply.server or reply.addr
            end
            delegated_seen = delegated_seen + 1
            if holds(reply) then delegated_has = true end
            evidence[#evidence + 1] = {server = reply.server, addr = reply.addr, name = name,
              type = r.type, rcode = reply.rcode, note = "delegated"}
          end
        end
        for _, reply in ipairs(ctx:answers(name, r.type).auth) do
          if reply.source ~= nil and not has(reply.source, "parent")
              and not reply.error and holds(reply) then
            local label = ("%s (%s)"):format(reply.server or reply.addr or "?", table.concat(reply.source or {}, "/"))
            if not seen[label] then
              seen[label] = true
              elsewhere[#elsewhere + 1] = reply.server or reply.addr
            end
            local answer = {}
            for _, rr in ipairs(reply.answer) do answer[#answer + 1] = rr.raw or rr.data end
            evidence[#evidence + 1] = {server = reply.server, addr = reply.addr, name = name,
              type = r.type, rcode = reply.rcode, answer = answer, note = "not delegated"}
          end
        end

        if delegated_seen > 0 and not delegated_has and #elsewhere > 0 then
          local zname = zone.name
          local delegation = (zone.parent_ns and #zone.parent_ns > 0) and zone.parent_ns or delegated_names
          local dlist = {}
          for _, n in ipairs(delegation) do dlist[#dlist + 1] = n end
          ctx:report{
            subject = {name = name, type = r.type},
            message = ("You added %s %s at %s; the domain is delegated to %s, and the record is not there, so SES and every resolver miss it.")
              :format(name, r.type, table.concat(elsewhere, ", "), table.concat(dlist, ", ")),
            vars = {relative = dnsvet.name.relative(name, zname), type = r.type, value = r.value or "",
                    delegated = table.concat(dlist, ", "), elsewhere = table.concat(elsewhere, ", "),
                    zone = zname},
            evidence = evidence,
          }
        end
      end
    end
  end,
}
