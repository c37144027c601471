-- delegation.ns_mismatch: the parent's referral and the zone's own NS set differ.
return {
  id = "delegation.ns_mismatch",
  title = "Parent and child NS sets differ",
  severity = "warning",
  tags = {"delegation", "servers"},
  summary = "The registrar's delegation and the zone's own NS records name different servers.",
  fix = "Make both lists the same: at the registrar of {zone}, set the name servers to {wanted}, and give the zone exactly these NS records ({wanted}).",
  references = {"https://www.rfc-editor.org/rfc/rfc1034#section-4.2.2",
                "https://www.rfc-editor.org/rfc/rfc7719"},
  order = 15,
  doc = [[
Compares the NS set in the parent zone's referral (what the registrar published) with the NS
set the zone's own servers answer.

Why: resolvers start from the parent's list and may then prefer the child's. When the two
differ, different resolvers, SES among them, ask different servers: a record added at one DNS
host is visible to some and not to others, and a server left over from an old host keeps
serving stale data. It is the usual trace of a half-finished move between DNS hosts.

Outcomes:
- warning: a server is only in the parent's list, only in the zone's list, or both; the
  message names each side;
- nothing when the sets are equal (names compared case-insensitively, order ignored), or when
  the zone's own NS set could not be read (then other rules report why).

Fix: decide which DNS host serves the zone. Set exactly those servers at the registrar (the
parent side) and as the zone's NS records (the child side).
]],

  check = function(ctx)
    local function set_of(list)
      local set, sorted = {}, {}
      for _, n in ipairs(list or {}) do
        local k = dnsvet.name.normalize(n)
        if not set[k] then
          set[k] = true
          sorted[#sorted + 1] = k
        end
      end
      table.sort(sorted)
      return set, sorted
    end

    for _, z in ipairs(ctx.zones or {}) do
      if z.parent_ns and z.child_ns and #z.parent_ns > 0 and #z.child_ns > 0 then
        local pset, plist = set_of(z.parent_ns)
        local cset, clist = set_of(z.child_ns)
        local only_parent, only_child = {}, {}
        for _, n in ipairs(plist) do if not cset[n] then only_parent[#only_parent + 1] = n end end
        for _, n in ipairs(clist) do if not pset[n] then only_child[#only_child + 1] = n end end
        if #only_parent > 0 or #only_child > 0 then
          local parts = {}
          if #only_parent > 0 then
            parts[#parts + 1] = ("only the parent (%s) lists %s"):format(z.parent or "registrar", table.concat(only_parent, ", "))
          end
          if #only_child > 0 then
            parts[#parts + 1] = ("only the zone's own NS records list %s"):format(table.concat(only_child, ", "))
          end
          -- the child's own list usually reflects the DNS host in use; prefer it when it answers
          ctx:report{
            subject = {name = z.name, type = "NS"},
            message = ("The delegation of %s differs between the parent and the zone: %s. Parent: %s; zone: %s.")
              :format(z.name, table.concat(parts, "; "), table.concat(plist, ", "), table.concat(clist, ", ")),
            vars = {zone = z.name, wanted = table.concat(clist, ", ")},
            evidence = {
              {name = z.name, type = "NS", note = "parent referral", answer = plist},
              {name = z.name, type = "NS", note = "zone's own NS set", answer = clist},
            },
          }
        end
      end
    end
  end,
}
