-- propagation.pending: the zone is right, some resolvers still serve a cached older answer.

local prop = dnsvet.lib("propagation")

-- A null or loopback address is a filter's answer, not an old value.
local function is_null(addr)
  return addr ~= nil and (dnsvet.cidr.contains("0.0.0.0/8", addr)
    or dnsvet.cidr.contains("127.0.0.0/8", addr) or addr == "::")
end

-- The old values a resolver's reply gives for the record `r` at `name` and the longest TTL
-- they have left; nil when it gives none, or also gives the expected value (then it has
-- the new copy already).
local function stale_values(res, name, r)
  local stale, ttl = nil, 0
  for _, rr in ipairs(res.answer or {}) do
    if rr.name == name and rr.type == r.type and not is_null(rr.address) then
      if prop.matches(rr, r) then return nil, 0 end
      stale = stale or {}
      stale[#stale + 1] = rr.data
      if (rr.ttl or 0) > ttl then ttl = rr.ttl end
    end
  end
  return stale, ttl
end

return {
  id = "propagation.pending",
  title = "Resolvers still cache the old value",
  severity = "warning",
  tags = {"propagation", "resolvers", "ttl"},
  summary = "The authoritative servers serve the right record; some resolvers still hold an older copy until its TTL runs out.",
  fix = "Nothing to change in DNS: the old copies expire by {when} (in {wait}). If SES already marked the identity FAILED, resubmit verification after that time.",
  references = {"https://www.rfc-editor.org/rfc/rfc1034#section-4.3.2",
                "https://www.rfc-editor.org/rfc/rfc2181#section-8"},
  order = 30,
  doc = [[
For every expected record that all the zone's authoritative servers already serve correctly,
looks at each sampled resolver's answer. A resolver that returns another value for the same
name and type holds a copy cached before the change; the TTL it returns is the time that copy
has left.

Why: after a record is changed, resolvers keep serving the old value until the TTL they
received with it runs out. This is the one case where waiting is the right fix; this rule
says how long, so that nobody edits records that are already right.

Outcomes:
- warning: one finding per record, naming each resolver, the old value it serves and when its
  copy expires (the finding's `expires` is the latest of them);
- nothing when the authoritative servers are not all right (other rules explain why) or when
  every resolver already has the new value.
Resolvers that cached "no such record" are propagation.negative_cached.

Fix: wait until the time given. Lowering the TTL now does not shorten copies already cached;
lower it a TTL ahead of the next change instead.
]],

  check = function(ctx)
    local who = prop.namer(ctx)

    for _, r in ipairs((ctx.expect and ctx.expect.records) or {}) do
      local name = prop.norm(r.name)
      -- only when every server serves the record right is another value at a resolver old
      if prop.served_right(ctx, r, name) then
        local entry = ctx:answers(name, r.type)
        local parts, evidence, latest, longest = {}, {}, nil, 0
        for _, res in ipairs((entry and entry.resolvers) or {}) do
          local stale, ttl
          if not res.error and res.rcode == "NOERROR" then stale, ttl = stale_values(res, name, r) end
          if stale then
            local at = (ctx.now or 0) + ttl
            parts[#parts + 1] = ("%s still serves `%s` for another %s (until %s)")
              :format(who(res.addr) or "?", table.concat(stale, " | "), prop.duration(ttl), dnsvet.fmt_time(at))
            if not latest or at > latest then latest = at end
            if ttl > longest then longest = ttl end
            local answer = {}
            for _, rr in ipairs(res.answer) do answer[#answer + 1] = rr.raw or rr.data end
            evidence[#evidence + 1] = {server = res.addr, addr = res.addr, name = name,
              type = r.type, rcode = res.rcode, answer = answer, note = ("%d s left in cache"):format(ttl)}
          end
        end
        if #parts > 0 then
          ctx:report{
            subject = {name = name, type = r.type},
            message = ("The authoritative servers serve %s %s `%s`, but %s.")
              :format(name, r.type, r.value, table.concat(parts, "; ")),
            vars = {when = dnsvet.fmt_time(latest), wait = prop.duration(longest)},
            expires = latest,
            evidence = evidence,
          }
        end
      end
    end
  end,
}
