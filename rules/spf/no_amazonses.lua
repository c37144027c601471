-- spf.no_amazonses: the SPF record does not authorise SES.

local spf = dnsvet.lib("spf")
local spf_names, is_spf, txt_at, severity_for, fetch_spf, has_all =
  spf.names, spf.is_record, spf.txt_at, spf.severity_for, spf.fetch, spf.has_all

-- Whether `text` lets SES send: true, false, or nil when an include could not
-- be looked at. Follows include and redirect a few levels, since a provider's
-- include may itself include amazonses.com.
local function authorises(ctx, text, depth, seen)
  local unknown = false
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
    elseif rest:match("^redirect=") and not has_all(text) then
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
