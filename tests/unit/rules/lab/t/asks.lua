-- t.asks: follow-up questions the probe never asks on its own, one per target kind.
return {
  id = "t.asks",
  title = "Follow-ups the probe does not ask",
  severity = "info",
  tags = {"followup", "lab"},
  order = 30,
  check = function(ctx)
    local mx = ctx:query("authoritative", "mx1." .. ctx.domain, "A")
    local www = ctx:query("resolvers", "www." .. ctx.domain, "CNAME")
    local zone = ctx:zone_of(ctx.domain)
    local second = ctx:query({zone.servers[#zone.servers].addr}, ctx.domain, "NS")
    local parts = {}
    for _, a in ipairs(mx.auth) do
      parts[#parts + 1] = a.addr .. " " .. a.rcode .. " " .. (a.answer[1] and a.answer[1].address or "-")
    end
    for _, r in ipairs(www.resolvers) do
      parts[#parts + 1] = "resolver " .. r.rcode .. " " .. (r.answer[1] and r.answer[1].target or "-")
    end
    for _, a in ipairs(second.auth) do
      parts[#parts + 1] = "ns@" .. a.addr .. " " .. #a.answer
    end
    ctx:report{subject = {name = ctx.domain}, message = table.concat(parts, "; ")}
  end,
}
