-- Shared by the record.* rules (and the spf and dmarc modules): the records the
-- zone's own servers serve at a name.
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

-- The TXT texts at `name` from the first of the zone's own servers that
-- answered, with a CNAME at the name followed as receivers do, and that reply;
-- nil when the zone could not be asked or none of its servers answered (absent
-- and unknown are not the same).
local function txt_at(ctx, name)
  local replies = dnsvet.authoritative(ctx, name, "TXT")
  if not replies then return nil end
  local rep, texts = replies[1], {}
  for _, pool in ipairs({rep.answer or {}, ctx:answers(name, "TXT").chain or {}}) do
    for _, rr in ipairs(pool) do
      if rr.type == "TXT" then texts[#texts + 1] = {text = rr.text or "", rr = rr} end
    end
  end
  return texts, rep
end

return {found_values = found_values, auth_rrs = auth_rrs, txt_at = txt_at}
