-- Shared by propagation.pending and propagation.negative_cached: whether the zone's
-- servers all serve an expected record right, and how resolvers and waits are named.
-- Loaded with dnsvet.lib("propagation").

local function norm(v) return dnsvet.name.normalize(v or "") end

-- An RR is the expected record `r`.
local function matches(rr, r)
  local v = r.value or ""
  if r.type == "CNAME" then return norm(rr.target) == norm(v) end
  if r.type == "MX" then
    local pref, host = v:match("^%s*(%d+)%s+(%S+)")
    return tonumber(pref) == rr.preference and norm(host) == norm(rr.exchange)
  end
  if r.type == "TXT" or r.type == "SPF" then return rr.text == v end
  return norm(rr.data) == norm(v)
end

-- Whether every one of the zone's own servers that answered for `name` serves the
-- expected record `r` right. When none of them serves a value of the type (none answered,
-- the zone cannot be asked, the record is missing) there is nothing right to compare the
-- resolvers with, and the answer is no.
local function served_right(ctx, r, name)
  local served = ctx:rrs("own", name, r.type, r.type)
  local replies = r.value and #served > 0 and dnsvet.authoritative(ctx, name, r.type)
  local answered, right, counted = replies and #replies or 0, 0, {}
  if answered == 0 then return false end
  for _, o in ipairs(served) do
    if not counted[o.reply] and matches(o.rr, r) then
      counted[o.reply] = true
      right = right + 1
    end
  end
  return right == answered
end

-- A wait in words: "2 h 5 min", "40 s".
local function duration(s)
  if s >= 86400 then return ("%d d %d h"):format(s // 86400, (s % 86400) // 3600) end
  if s >= 3600 then return ("%d h %d min"):format(s // 3600, (s % 3600) // 60) end
  if s >= 60 and s % 60 == 0 then return ("%d min"):format(s // 60) end
  if s >= 60 then return ("%d min %d s"):format(s // 60, s % 60) end
  return ("%d s"):format(s)
end

-- A function naming a resolver by its address and label ("192.0.2.1 (office)"); the
-- labels are read when a finding first names a resolver.
local function namer(ctx)
  local labels
  return function(addr)
    if not labels then
      labels = {}
      for _, res in ipairs(ctx.resolvers or {}) do
        if res.addr then labels[res.addr] = res.label end
      end
    end
    return labels[addr] and ("%s (%s)"):format(addr, labels[addr]) or addr
  end
end

return {norm = norm, matches = matches, served_right = served_right, duration = duration,
        namer = namer}
