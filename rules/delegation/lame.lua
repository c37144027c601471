-- delegation.lame: a server named in the delegation does not serve the zone.
return {
  id = "delegation.lame",
  title = "Lame name server",
  severity = "warning",
  tags = {"delegation", "servers"},
  summary = "A server listed as authoritative for the zone does not answer for it authoritatively.",
  fix = "Either load {zone} on {servers} (each must answer for it with the AA flag), or remove {servers} from the NS records at the registrar (in the parent zone {parent}) and in the zone itself.",
  references = {"https://www.rfc-editor.org/rfc/rfc1912#section-2.8",
                "https://www.rfc-editor.org/rfc/rfc8499"},
  order = 15,
  doc = [[
Checks every name server of every zone that matters (named in the parent's referral or in the
zone's own NS set) for an authoritative answer to the zone's SOA.

Why: resolvers pick a server from the NS set at random. Each lame server costs SES a timeout
or an unusable reply; with several, lookups fail and SES reports DNS_SERVER_ERROR or keeps
the identity pending. When every server is lame the zone does not resolve at all.

Outcomes (per server):
- timeout / unreachable: nothing answered on port 53 (server down, firewalled, wrong address
  in the glue);
- refused: the server runs but does not serve the zone (the zone was deleted there, or never
  added at this DNS host);
- servfail: the server has the zone configured but cannot load it;
- not_authoritative: an answer without the AA flag (a resolver or cache listed as NS);
- upward_referral: a referral to the root or a parent, the mark of a server without the zone;
- malformed: a reply that cannot be parsed.
Severity: warning while at least one server answers properly, error when none does.

Fix: add the zone on the lame servers (or fix their addresses/firewall), or take them out of
the NS set both at the registrar and in the zone.
]],

  check = function(ctx)
    local why = {
      timeout = "does not answer (timeout)",
      unreachable = "is unreachable",
      refused = "refuses the query (REFUSED): it does not serve this zone",
      servfail = "answers SERVFAIL: it has the zone configured but cannot serve it",
      not_authoritative = "answers without the AA flag: it is not authoritative for the zone",
      upward_referral = "answers with a referral upwards: it does not have the zone",
      malformed = "sends a reply that cannot be parsed",
    }

    local function delegated(s)
      if s.source == nil then return true end
      for _, src in ipairs(s.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    for _, z in ipairs(ctx.zones or {}) do
      local lame, good, names, parts, evidence = 0, 0, {}, {}, {}
      local seen = {}
      for _, s in ipairs(z.servers or {}) do
        if delegated(s) then
          if s.status == "lame" then
            lame = lame + 1
            local label = ("%s (%s)"):format(s.name or "?", s.addr or "no address")
            parts[#parts + 1] = ("%s %s"):format(label, why[s.lame or ""] or (s.lame and ("is lame (" .. tostring(s.lame) .. ")") or "is lame"))
            if not seen[s.name or "?"] then
              seen[s.name or "?"] = true
              names[#names + 1] = s.name or "?"
            end
            evidence[#evidence + 1] = {server = s.name, addr = s.addr, name = z.name, type = "SOA",
                                       note = s.lame}
          elseif s.status == "ok" then
            good = good + 1
          end
        end
      end
      if lame > 0 then
        local message = ("%s: %s."):format(z.name, table.concat(parts, "; "))
        local severity
        if good == 0 then
          severity = "error"
          message = message .. " No server of the zone answers authoritatively, so nothing in it resolves."
        else
          message = message .. (" %d other address%s answer%s properly, so lookups only fail some of the time.")
            :format(good, good == 1 and "" or "es", good == 1 and "s" or "")
        end
        ctx:report{
          subject = {name = z.name, type = "NS"},
          message = message,
          severity = severity,
          vars = {zone = z.name, servers = table.concat(names, ", "), parent = z.parent or "parent zone"},
          evidence = evidence,
        }
      end
    end
  end,
}
