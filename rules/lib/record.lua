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

local QUOTES = {'"', "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}"}

-- `v` without the pair of quotes around it, or nil.
local function unquote(v)
  for _, q in ipairs(QUOTES) do
    if v:sub(1, #q) == q then
      for _, q2 in ipairs(QUOTES) do
        if #v > #q + #q2 and v:sub(-#q2) == q2 then return v:sub(#q + 1, -#q2 - 1) end
      end
    end
  end
  return nil
end

-- What was added around or inside a found value `v` (a list of {what, without}),
-- and `v` without it. Whitespace inside
-- is only extra when the expected value has none.
local function strip(v, expected)
  -- most values have nothing around or inside them: no whitespace at all, no quote to
  -- start with (every quote of QUOTES begins with `"`, `'` or the byte \226) and no
  -- trailing dot; those are returned at once
  if not v:find("%s") and not v:find("^[\"'\226]") and v:sub(-1) ~= "." then return v, {} end
  local what, seen = {}, {}
  local function note(s, without)
    if not seen[s] then seen[s] = true; what[#what + 1] = {s, without} end
  end
  if v:find("[\r\n]") then note("a line break", "line breaks"); v = v:gsub("[\r\n]", "") end
  local before
  repeat
    before = v
    local t = v:gsub("^%s+", ""):gsub("%s+$", "")
    if t ~= v then note("spaces around the value", "the spaces around it"); v = t end
    local u = unquote(v)
    if u then note("quotes stored as part of the value", "the surrounding quotes"); v = u end
    if v:sub(-1) == "." and expected:sub(-1) ~= "." and #v > 1 then
      note("a trailing dot", "the trailing dot"); v = v:sub(1, -2)
    end
  until v == before
  if not expected:find("%s") and v:find("%s") then
    note("spaces inside the value", "the spaces inside it"); v = v:gsub("%s", "")
  end
  return v, what
end

-- A finding that says what is wrong with a record: a notice or an info (a long TTL,
-- say) leaves the fault for the general rules to report.
local function explains(f)
  return f.severity == "error" or f.severity == "warning"
end

-- Whether an earlier rule already reported on `name` and `rtype` (ctx:findings
-- waits for those rules to finish); a rule seeing the same fault stays quiet.
local function reported(ctx, name, rtype)
  local ok, earlier = pcall(function() return ctx:findings(name, rtype) end)
  for _, f in ipairs(ok and type(earlier) == "table" and earlier or {}) do
    if explains(f) then return true end
  end
  return false
end

-- The same, leaving out SPF and DMARC findings: those are about another record
-- that shares the name (an SPF TXT beside a verification TXT), so they explain
-- nothing about this one.
local function reported_by_other(ctx, name, rtype)
  local ok, earlier = pcall(function() return ctx:findings(name, rtype) end)
  for _, f in ipairs(ok and type(earlier) == "table" and earlier or {}) do
    local id = f.rule or ""
    if explains(f) and not (id:match("^spf%.") or id:match("^dmarc%.")
                            or id == "ses.mail_from.spf_missing") then
      return true
    end
  end
  return false
end

return {found_values = found_values, auth_rrs = auth_rrs, txt_at = txt_at, strip = strip,
        reported = reported, reported_by_other = reported_by_other}
