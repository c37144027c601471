-- spf.no_amazonses: the SPF record does not authorise SES.

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

-- The TXT texts at `name` from the first of the zone's own servers that
-- answered (following a CNAME as SPF does), or nil when the zone could not be
-- asked or none of its servers answered: absent and unknown are not the same.
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

-- "error" on the MAIL FROM domain (SES mail fails SPF), "warning" on the
-- identity (only other mail from the domain is affected).
local function severity_for(kind)
  return kind == "mail_from" and "error" or "warning"
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

-- Whether `text` lets SES send: true, false, or nil when an include could not
-- be looked at. Follows include and redirect a few levels, since a provider's
-- include may itself include amazonses.com.
local function authorises(ctx, text, depth, seen)
  local unknown = false
  local has_all = false
  for term in text:gmatch("%S+") do
    if term:lower():match("^[%+%-~%?]?all$") then has_all = true end
  end
  for term in text:gmatch("%S+") do
    local l = term:lower()
    local q, rest = l:match("^([%+%-~%?]?)(.*)$")
    local pass = q == "" or q == "+"
    local target
    if rest == "include:amazonses.com" or rest == "include:amazonses.com." then
      if pass then return true end
    elseif rest == "all" then
      if pass then return true end
    elseif rest:match("^include:") and pass then
      target = rest:sub(9)
    elseif rest:match("^redirect=") and not has_all then
      target = rest:sub(10)
    end
    if target and depth < 5 and not target:find("%", 1, true) and not seen[target] then
      seen[target] = true
      local sub, why = fetch_spf(ctx, target)
      if sub then
        local r = authorises(ctx, sub, depth + 1, seen)
        if r then return true end
        if r == nil then unknown = true end
      elseif why == "unknown" then
        unknown = true
      end
    end
  end
  if unknown then return nil end
  return false
end

-- The record with `include:amazonses.com` added before its `all` or `redirect`.
local function with_ses(text)
  local terms, added = {}, false
  for term in text:gmatch("%S+") do
    local l = term:lower()
    local q, rest = l:match("^([%+%-~%?]?)(.*)$")
    if rest == "include:amazonses.com" then
      term = "include:amazonses.com"
      added = true
    elseif not added and (rest == "all" or l:match("^redirect=")) then
      terms[#terms + 1] = "include:amazonses.com"
      added = true
    end
    terms[#terms + 1] = term
  end
  if not added then terms[#terms + 1] = "include:amazonses.com" end
  return table.concat(terms, " ")
end

return {
  id = "spf.no_amazonses",
  title = "SPF record does not authorise SES",
  severity = "error",
  tags = {"spf", "ses", "mail_from"},
  summary = "The SPF record does not include `include:amazonses.com`, so mail SES sends fails SPF.",
  fix = "In {zone}, change the TXT record `{relative}` to `{suggested}` (one SPF record per name: edit it, do not add a second).",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html",
    "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
  },
  order = 52,
  doc = [[
Checks that the SPF record of the MAIL FROM domain, and of the identity domain
when SES lists an SPF record for it, lets Amazon SES send: an
`include:amazonses.com` with a pass qualifier (`+` or none), directly or
inside an included record or a `redirect` target (followed a few levels,
since provider records often include SES for their customers).

SES sends from its own addresses. With a custom MAIL FROM domain, receivers
check those addresses against that domain's SPF record; a record that lists
only other services (or `-include:amazonses.com`) makes SPF fail or soft-fail.

Outcomes:
- error on the MAIL FROM domain, warning on the identity domain: the single
  SPF record there does not authorise SES; the fix shows the record with the
  include added;
- nothing when SES is authorised (also by `+all`, which spf.syntax warns
  about), when there is no record or several (spf.missing, spf.multiple), or
  when an include could not be looked up.

Fix: add `include:amazonses.com` to the existing record, before its `all`.]],

  check = function(ctx)
    for _, n in ipairs(spf_names(ctx)) do
      if n.kind == "mail_from" or n.record then
        local texts, rep = txt_at(ctx, n.name)
        local spfs = {}
        for _, t in ipairs(texts or {}) do
          if is_spf(t.text) then spfs[#spfs + 1] = t end
        end
        if #spfs == 1 and authorises(ctx, spfs[1].text, 0, {}) == false then
          local t = spfs[1]
          local zone = ctx:zone_of(n.name)
          local zname = zone and zone.name or dnsvet.name.parent(n.name)
          local negated = t.text:lower():match("[%-~%?]include:amazonses%.com")
          local why = n.kind == "mail_from"
            and "receivers check SES's sending addresses against it, so SES mail fails SPF"
            or "mail SES sends as this domain is not covered by it"
          ctx:report{
            subject = {name = n.name, type = "TXT"},
            severity = severity_for(n.kind),
            message = ("The SPF record of %s (`%s`, on %s) does not authorise Amazon SES%s: %s."):format(
              n.name, t.text, rep.server or rep.addr or "?",
              negated and (" (`%s` does not pass)"):format(negated) or " (no `include:amazonses.com`)", why),
            vars = {zone = zname, relative = dnsvet.name.relative(n.name, zname), suggested = with_ses(t.text)},
            evidence = {{server = rep.server, addr = rep.addr, name = n.name, type = "TXT",
                         rcode = rep.rcode, answer = {t.rr.raw}}},
          }
        end
      end
    end
  end,
}
