-- Shared by the dmarc.* rules: the identity, where receivers look for its policy, what the
-- zone serves there, and what counts as a DMARC record. Loaded with dnsvet.lib("dmarc").

-- The identity, from the names SES derived for it (probes only see expect).
local function identity_of(expect)
  for _, r in ipairs(expect.records or {}) do
    if r.role == "dmarc" then return dnsvet.name.normalize(r.name):match("^_dmarc%.(.+)$") end
  end
  for _, r in ipairs(expect.records or {}) do
    if r.role == "spf" then return dnsvet.name.normalize(r.name) end
  end
  for _, r in ipairs(expect.records or {}) do
    local d = dnsvet.name.normalize(r.name):match("%._domainkey%.(.+)$")
    if d then return d end
  end
  return nil
end

-- Where receivers look for the policy of `domain`, closest first: the domain
-- itself, then its parents as in the DNS tree walk of RFC 9989 (a name of more
-- than 8 labels jumps to its last 7). The walk stops at two labels: a policy
-- published for a whole public suffix is no substitute for the domain's own.
local function walk(domain)
  local list = {"_dmarc." .. domain}
  local labels = dnsvet.name.labels(domain)
  local start = #labels > 8 and table.concat(labels, ".", #labels - 6) or dnsvet.name.parent(domain)
  local n = start
  while n and #dnsvet.name.labels(n) >= 2 and #list < 8 do
    list[#list + 1] = "_dmarc." .. n
    n = dnsvet.name.parent(n)
  end
  return list
end

local record_txt_at = dnsvet.lib("record").txt_at

-- The TXT texts at `name` as its zone's own servers serve them (record.txt_at),
-- asked of them first when the probe did not: the DMARC walk reaches names the
-- probe never asked about. nil when nothing is known.
local function txt_at(ctx, name)
  if not ctx:answers(name, "TXT") then
    pcall(function() return ctx:query("authoritative", name, "TXT") end)
  end
  return record_txt_at(ctx, name)
end

-- A DMARC record proper: `v=DMARC1` first, the version in capitals (RFC 7489 §6.4).
local function is_dmarc(text)
  return text:match("^[vV]%s*=%s*DMARC1%s*;") ~= nil or text:match("^[vV]%s*=%s*DMARC1%s*$") ~= nil
end

-- A TXT someone meant as DMARC, even a broken one.
local function meant_as_dmarc(text)
  local t = text:lower()
  return t:find("v%s*=%s*dmarc") ~= nil or t:match("^[%s\"']*p%s*=") ~= nil
end

return {identity_of = identity_of, walk = walk, txt_at = txt_at, is_record = is_dmarc,
        meant_as = meant_as_dmarc}
