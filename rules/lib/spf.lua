-- Shared by the spf.* rules: which names need SPF, what the zone serves there, and what
-- counts as an SPF record. Loaded with dnsvet.lib("spf").

-- Names whose SPF matters: the MAIL FROM domain (SES mail is checked against
-- it) and the identity itself (other mail from the domain is).
local function spf_names(ctx)
  local list, seen = {}, {}
  local function add(name, kind, r)
    if name and name ~= "" then
      name = dnsvet.name.normalize(name)
      if not seen[name] then
        seen[name] = true
        list[#list + 1] = {name = name, kind = kind, record = r}
      end
    end
  end
  for _, r in ipairs(ctx.expect.records or {}) do
    if r.role == "mail_from_spf" then add(r.name, "mail_from", r) end
  end
  add(ctx.expect.mail_from, "mail_from")
  for _, r in ipairs(ctx.expect.records or {}) do
    if r.role == "spf" then add(r.name, "domain", r) end
  end
  add(ctx.domain, "domain")
  return list
end

-- An SPF record proper: "v=spf1" alone or followed by a space (RFC 7208 §4.5).
local function is_spf(text)
  local head = (text or ""):sub(1, 7):lower()
  return head == "v=spf1" or head == "v=spf1 "
end

-- Whether `text` has an `all` term, with or without its qualifier: a redirect in such
-- a record is never followed (RFC 7208 §6.1). One search of the record with a space
-- added at each end, where each term sits between two spaces.
local function has_all(text)
  return (" " .. text:lower() .. " "):find("%s[%+%-~%?]?all%s") ~= nil
end

-- The TXT texts at `name` as the zone's own servers serve them (SPF follows a
-- CNAME too), or nil when nothing is known.
local txt_at = dnsvet.lib("record").txt_at

-- "error" on the MAIL FROM domain (SES mail fails SPF), "warning" on the
-- identity (only other mail from the domain is affected).
local function severity_for(kind)
  return kind == "mail_from" and "error" or "warning"
end

-- A TXT meant as SPF, even a broken one: after quotes and spaces, it begins
-- with something like `v=spf`.
local function meant_as_spf(text)
  local body = (text or ""):gsub("^[%s\"'\u{201C}\u{201D}\u{2018}\u{2019}]+", ""):lower()
  return body:match("^v%s*=%s*spf") ~= nil or body:match("^spf1") ~= nil
end

-- The SPF record of an include or redirect target, as receivers see it: from
-- the recorded answers, else asked of the resolvers now. Returns the text, or
-- nil and why: "void" (NXDOMAIN or no TXT), "none" (TXT but no SPF), "many"
-- (several SPF records) or "unknown" (nobody answered, or not recorded).
local function fetch_spf(ctx, name)
  name = dnsvet.name.normalize(name)
  local e = ctx:answers(name, "TXT")
  if not e then
    local ok, got = pcall(function() return ctx:query("resolvers", name, "TXT") end)
    if ok then e = got end
  end
  -- of the authoritative replies only those of the target zone's own servers count (an
  -- edited or MNAME server's NXDOMAIN says nothing); then the resolvers, as receivers ask
  local own = e and dnsvet.authoritative(ctx, name, "TXT")
  for _, group in ipairs({own or {}, e and e.resolvers or {}}) do
    for _, rep in ipairs(group) do
      if not rep.error and (rep.rcode == "NOERROR" or rep.rcode == "NXDOMAIN") then
        local spfs, any = {}, false
        for _, pool in ipairs({rep.answer or {}, e.chain or {}}) do
          for _, rr in ipairs(pool) do
            if rr.type == "TXT" then
              any = true
              if is_spf(rr.text) then spfs[#spfs + 1] = rr.text end
            end
          end
        end
        if #spfs == 1 then return spfs[1] end
        if #spfs > 1 then return nil, "many" end
        return nil, any and "none" or "void"
      end
    end
  end
  return nil, "unknown"
end

return {names = spf_names, is_record = is_spf, txt_at = txt_at, severity_for = severity_for,
        meant_as = meant_as_spf, fetch = fetch_spf, has_all = has_all}
