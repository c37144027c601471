-- engine.unreachable: dnsvet reached no authoritative server of a zone, or no resolver at all.

-- Server states that mean no reply came back at all; every other lame state
-- (refused, servfail, not authoritative, ...) is an answer, however bad.
local SILENT = {timeout = true, unreachable = true, refused_connection = true}

local function delegated(s)
  if s.source == nil then return true end
  for _, src in ipairs(s.source) do
    if src == "parent" or src == "child" then return true end
  end
  return false
end

local function is_root(name)
  return name == "" or name == "."
end

return {
  id = "engine.unreachable",
  title = "Servers could not be reached",
  severity = "error",
  tags = {"engine", "servers", "resolvers"},
  summary = "No authoritative server of a zone, or none of the resolvers, answered a single query, so nothing could be checked there.",
  fix = "Check that this machine reaches the servers of {zone} (`dig @{addr} {zone} SOA`). If it does not, run dnsvet from a network "
     .. "that does; if nobody can reach them, the DNS host of {zone} must bring them back, or the registrar's "
     .. "delegation must point to servers that work.",
  references = {"https://www.rfc-editor.org/rfc/rfc1912#section-2.8"},
  order = 12,
  doc = [[
Checks that dnsvet could talk to the DNS at all:
- authoritative servers: for every zone on the way to the records (the root,
  the TLD, the domain's zone), at least one of the servers named by the parent
  or the zone answered something (an answer, a referral, or even an error
  such as REFUSED). When every one of them timed out, was unreachable or
  refused the connection, the
  zone is unreachable from here;
- resolvers: at least one of the sampled recursive resolvers answered at
  least one question.

Why: when no server answers, dnsvet has no data about the records behind
it, so it cannot say whether they are right. The cause may be the servers
(down, wrong addresses in the delegation: then SES cannot see the records
either) or the network dnsvet runs on (no route, a firewall blocking port
53). The verdict of the check is `unknown` rather than `broken`.

Outcomes:
- error: every server of a zone was silent; the message names the servers
  and whether the parent zone answered (then the path to the network works
  and these servers are the problem) or not even the root did (then this
  machine has no DNS access);
- warning: no resolver answered, so propagation and cached answers were not
  checked (the authoritative data still was);
- nothing when at least one server of every zone, and one resolver, answered.
  Servers that answer badly are delegation.lame.

Fix: test the path from this machine with `dig @SERVER ZONE SOA`; run dnsvet
from another network if needed; otherwise repair the servers or the
delegation.]],

  check = function(ctx)
    local domain = dnsvet.name.normalize(ctx.domain or "")
    -- addresses that answered some question, for servers the probe did not classify; built
    -- only when such a server is met, since it reads every reply
    local answered_set
    local function answered()
      if not answered_set then
        answered_set = {}
        for _, e in ipairs(ctx.obs.answers or {}) do
          for _, rep in ipairs(e.auth or {}) do
            if not rep.error and rep.addr then answered_set[rep.addr] = true end
          end
        end
      end
      return answered_set
    end
    for _, z in ipairs(ctx.zones or {}) do
      -- one server of the zone that answered is enough (the usual case: the first one)
      local tried, reached = 0, false
      for _, s in ipairs(z.servers or {}) do
        if delegated(s) and s.addr then
          tried = tried + 1
          if s.status == "ok" or (s.status == "lame" and not SILENT[s.lame or ""]) or answered()[s.addr] then
            reached = true
            break
          end
        end
      end
      if tried > 0 and not reached then
        local parts, evidence, first = {}, {}, nil
        for _, s in ipairs(z.servers or {}) do
          if delegated(s) and s.addr then
            first = first or s.addr
            parts[#parts + 1] = ("%s (%s): %s"):format(s.name or "?", s.addr,
              s.status == "lame" and (s.lame or "no reply") or "never answered")
            evidence[#evidence + 1] = {server = s.name, addr = s.addr, name = is_root(z.name) and "." or z.name,
                                       type = "SOA", note = s.lame or s.status}
          end
        end
        local zname = is_root(z.name) and "." or z.name
        local message, fix
        if is_root(z.name) then
          fix = ("Check that this machine can send DNS queries at all (`dig @%s . SOA`): open outgoing port 53 "
            .. "(UDP and TCP), or run dnsvet on a network that can, or give it root hints (--root-hints) of "
            .. "servers it can reach."):format(first)
          message = ("None of the %d root servers answered (%s): this machine cannot reach the DNS (no route, "
            .. "or a firewall blocks port 53), so nothing about %s could be checked."):format(
            tried, table.concat(parts, "; "), domain)
        else
          local via = (z.parent_ns and #z.parent_ns > 0)
            and ("%s answered with the delegation, so the network works: these servers are down, their addresses "
              .. "are wrong, or they drop queries from here"):format(z.parent or "the parent zone")
            or "the delegation itself was not seen"
          message = ("No server of %s answered any query (%s); %s. The records in %s could not be checked, and "
            .. "if nobody can reach these servers, SES cannot see them either."):format(
            zname, table.concat(parts, "; "), via, zname)
        end
        ctx:report{
          subject = {name = zname, type = "NS"},
          message = message,
          fix = fix,
          vars = {addr = first, zone = zname},
          evidence = evidence,
        }
      end
    end

    -- resolvers: one reply without a transport error from any of them is enough. Every
    -- resolver is asked about the expected records, so their replies are looked at first:
    -- that spares opening the entry of every question asked (a record that cannot be looked
    -- up is passed over)
    local function heard_about_records()
      for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
        local ok, e = pcall(ctx.answers, ctx, r.name, r.type)
        for _, rep in ipairs((ok and e and e.resolvers) or {}) do
          if not rep.error then return true end
        end
      end
      return false
    end
    if #(ctx.resolvers or {}) == 0 or heard_about_records() then return end
    -- none of those: walk every question, which also ends at the first reply (the count and
    -- the errors matter only when none came)
    local heard, asked, errors = {}, 0, {}
    for _, e in ipairs(ctx.obs.answers or {}) do
      for _, rep in ipairs(e.resolvers or {}) do
        asked = asked + 1
        if rep.error then errors[rep.addr or "?"] = rep.error else heard[rep.addr or "?"] = true end
      end
      if next(heard) then break end
    end
    if asked > 0 and next(heard) == nil then
      local list = {}
      for _, r in ipairs(ctx.resolvers) do
        list[#list + 1] = ("%s%s: %s"):format(r.addr, r.label and (" (" .. r.label .. ")") or "",
          errors[r.addr] or "not asked")
      end
      local first = ctx.resolvers[1].addr
      ctx:report{
        subject = {name = domain},
        severity = "warning",
        message = ("None of the %d resolvers answered any of %d questions (%s): what resolvers, SES among them, "
          .. "have cached could not be checked.%s"):format(
          #ctx.resolvers, asked, table.concat(list, "; "),
          next(answered()) and " The authoritative servers did answer, so the records themselves were checked." or ""),
        fix = ("Check that this machine reaches the resolvers (`dig @%s %s SOA`), or give dnsvet resolvers it "
          .. "can reach."):format(first, domain),
        evidence = {{addr = first, name = domain, note = errors[first] or "no reply"}},
      }
    end
  end,
}
