-- delegation.not_public: the domain cannot be reached from the public root.
return {
  id = "delegation.not_public",
  title = "Domain not reachable through public DNS",
  severity = "error",
  tags = {"delegation", "ses"},
  summary = "SES resolves names through public DNS from the root; this zone is not part of it.",
  fix = "Register {zone} with a public registrar and delegate it to name servers with public addresses, or verify a domain that is already public.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html",
                "https://www.rfc-editor.org/rfc/rfc6761", "https://www.rfc-editor.org/rfc/rfc6762"},
  order = 10,
  doc = [[
Checks that every zone holding a name SES must look up is reachable from the public root.

Why: SES looks for the verification records with ordinary public DNS lookups. A domain that
exists only inside a company network, under a special-use top-level domain, or whose name
servers have only private addresses, can never be verified, whatever records it holds.

Outcomes:
- error: the parent zone answers NXDOMAIN for the zone (it is not registered, or the
  registration lapsed);
- error: the name is under a special-use or private top-level domain (`local`, `internal`,
  `lan`, `home.arpa`, `test`, `invalid`, ...);
- error: every name server of the zone has a private, loopback or link-local address
  (ignored in lab mode, where such addresses are the point);
- nothing when every zone is delegated from the root to servers with public addresses.

Fix: register the domain (or renew it) and delegate it to publicly reachable name servers,
or send from a domain that is public.
]],

  check = function(ctx)
    local special = {["local"] = true, internal = true, lan = true, home = true, corp = true,
      localhost = true, invalid = true, test = true, example = true, onion = true, alt = true,
      intranet = true, private = true}
    local private = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
      "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "::1/128", "fc00::/7", "fe80::/10"}

    local function is_private(addr)
      for _, p in ipairs(private) do
        if dnsvet.cidr.contains(p, addr) then return true end
      end
      return false
    end

    local reported = {}
    local function report(zone, parent, message, evidence, fix)
      if reported[zone] then return end
      reported[zone] = true
      ctx:report{
        subject = {name = zone, type = "NS"},
        message = message,
        fix = fix,
        vars = {zone = zone, parent = parent or "its parent"},
        evidence = evidence,
      }
    end

    -- special-use names never reach the public root (lab zones live under them on purpose)
    local domain = dnsvet.name.normalize(ctx.domain or "")
    local labels = dnsvet.name.labels(domain)
    local tld = labels[#labels]
    local home_arpa = dnsvet.name.is_sub(domain, "home.arpa")
    if not ctx.lab and domain ~= "" and (special[tld or ""] or home_arpa) then
      local suffix = home_arpa and "home.arpa" or tld
      report(domain, tld, ("%s is under `%s`, a special-use or private top-level domain that public DNS does not delegate: SES cannot look up any record in it.")
        :format(domain, suffix), nil,
        ("Use a domain under a public top-level domain (register one if needed) as the SES identity; names under `.%s` can never be verified."):format(suffix))
    end

    for _, z in ipairs(ctx.zones or {}) do
      if z.status == "nxdomain" then
        report(z.name, z.parent, ("%s does not exist in public DNS: the %s servers answer NXDOMAIN for it (never registered, expired, or on hold)%s.")
          :format(z.name, z.parent or "parent zone's", z.reason and ("; " .. z.reason) or ""))
      elseif z.status == "not_public" then
        report(z.name, z.parent, ("%s is not reachable from the public root%s.")
          :format(z.name, z.reason and (": " .. z.reason) or ""))
      elseif not ctx.lab and z.servers and #z.servers > 0 then
        local all_private, list, evidence = true, {}, {}
        for _, s in ipairs(z.servers) do
          if s.addr then
            if not is_private(s.addr) then all_private = false end
            list[#list + 1] = ("%s (%s)"):format(s.name or "?", s.addr)
            evidence[#evidence + 1] = {server = s.name, addr = s.addr, note = "private address"}
          end
        end
        if all_private and #list > 0 then
          report(z.name, z.parent, ("Every name server of %s has a private or loopback address: %s. Resolvers on the internet, SES included, cannot reach them.")
            :format(z.name, table.concat(list, ", ")), evidence)
        end
      end
    end
  end,
}
