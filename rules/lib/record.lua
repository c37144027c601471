-- Shared by the record.* rules: the records the zone's own servers serve at a name.
-- Loaded with dnsvet.lib("record").

-- Values the zone's own servers give for an expected record: CNAME targets
-- (escapes undone, lowercase: names compare without case) or joined TXT strings.
local function found_values(ctx, r, name)
  local list = {}
  for _, o in ipairs(ctx:rrs("own", name, r.type, r.type)) do
    local v = o.rr.text
    if r.type == "CNAME" then
      v = o.rr.target or ""
      if v:find("\\", 1, true) then
        v = v:gsub("\\(%d%d%d)", function(d) return string.char(tonumber(d) % 256) end)
        v = v:gsub("\\(.)", "%1")
      end
      v = v:lower()
    end
    list[#list + 1] = {value = v or "", rr = o.rr, rep = o.reply}
  end
  return list
end

-- RRs of one type owned by `name`, from the replies of the zone's own servers
-- (named by the parent or the child; edited and MNAME servers do not count).
local function auth_rrs(ctx, name, rtype)
  local found = {}
  for _, o in ipairs(ctx:rrs("own", name, rtype, rtype)) do
    found[#found + 1] = {rr = o.rr, rep = o.reply}
  end
  return found
end

return {found_values = found_values, auth_rrs = auth_rrs}
