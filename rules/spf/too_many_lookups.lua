-- spf.too_many_lookups: the SPF record needs more DNS lookups than RFC 7208 allows.

local spf = dnsvet.lib("spf")
local spf_names, is_spf, txt_at, severity_for, fetch_spf, has_all =
  spf.names, spf.is_record, spf.txt_at, spf.severity_for, spf.fetch, spf.has_all

-- Terms that cost a DNS lookup at evaluation time (RFC 7208 §4.6.4).
local COUNTED = {include = true, a = true, mx = true, ptr = true, exists = true}

-- Counts the lookups of `text` and everything it includes or redirects to,
-- noting in `st` the targets that are void or not SPF, loops and macros.
-- Returns the count; at the top level also fills st.top with each term's share.
local function expand(ctx, text, st, depth, stack)
  local total = 0
  for term in text:gmatch("%S+") do
    -- after the qualifier: the mechanism or modifier name, the character after it
    -- (nothing, `:`, `/` or `=`) and the rest, the include or redirect target
    local mech, sep, arg = term:lower():match("^[%+%-~%?]?(%a*)(.?)(.*)$")
    local cost, target = 0, nil
    if mech == "redirect" and sep == "=" then
      -- a record with an `all` term ignores its redirect
      if not has_all(text) then cost, target = 1, arg end
    elseif COUNTED[mech] and (sep == "" or sep == ":" or sep == "/") then
      cost = 1
      if mech == "include" then target = arg end
    end
    if target then
      target = target:gsub("%.$", "")
      if target:find("%", 1, true) then
        st.macros = true
      elseif stack[target] then
        st.loop = target
      elseif depth < 10 and st.budget > 0 then
        st.budget = st.budget - 1
        local sub, why = fetch_spf(ctx, target)
        if sub then
          stack[target] = true
          cost = cost + expand(ctx, sub, st, depth + 1, stack)
          stack[target] = nil
        elseif why == "unknown" then
          st.unknown[#st.unknown + 1] = target
        else
          if why == "void" then st.voids = st.voids + 1 end
          st.broken[#st.broken + 1] = ("%s (%s)"):format(target,
            why == "void" and "no such name or no TXT" or why == "many" and "several SPF records" or "no SPF record")
        end
      end
    end
    total = total + cost
    if depth == 0 and cost > 0 then st.top[#st.top + 1] = ("%s: %d"):format(term, cost) end
  end
  return total
end

return {
  id = "spf.too_many_lookups",
  title = "SPF record needs too many DNS lookups",
  severity = "error",
  tags = {"spf"},
  summary = "Expanded through its includes, the SPF record needs more than 10 DNS lookups, or includes a name without SPF.",
  fix = "Edit the TXT record `{relative}` in {zone} so that it needs at most 10 lookups: remove `include:`s "
     .. "of services that no longer send mail, replace `a`, `mx` and `ptr` by `ip4:`/`ip6:` ranges, and "
     .. "fix or remove includes of names without an SPF record.",
  references = {"https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4"},
  order = 54,
  doc = [[
Follows the SPF record of the MAIL FROM domain and of the identity domain
through every `include:` and `redirect=` (asking the resolvers for records
that were not recorded yet) and counts the terms that cost a DNS lookup:
include, a, mx, ptr, exists and redirect.

RFC 7208 §4.6.4 limits an evaluation to 10 such lookups and to 2 "void"
lookups (names that do not exist or have no record); beyond either, receivers
stop with permerror and the mail is treated as not authorised. An include of
a name that has no SPF record is a permerror too. Records grow past the limit
quietly, one service include at a time; SES's own include costs 1.

Outcomes:
- error on the MAIL FROM domain, warning on the identity domain: more than 10
  lookups, more than 2 void lookups, an include loop, or an include or
  redirect target without exactly one SPF record; the message gives each
  top-level term's share of the count;
- notice at 9 or 10 lookups: one more include breaks SPF;
- nothing below. Targets using macros (`%{...}`) cannot be expanded in
  advance and are left out of the count. Void lookups are counted for
  include and redirect targets; the names of `a`, `mx` and `exists` terms are
  not resolved.

Fix: drop includes of services no longer used, replace a/mx/ptr with address
ranges, or have a provider flatten the record.]],

  check = function(ctx)
    for _, n in ipairs(spf_names(ctx)) do
      local texts, rep = txt_at(ctx, n.name)
      local spfs = {}
      for _, t in ipairs(texts or {}) do
        if is_spf(t.text) then spfs[#spfs + 1] = t end
      end
      if #spfs == 1 then
        local t = spfs[1]
        local st = {budget = 40, voids = 0, broken = {}, unknown = {}, top = {}}
        local count = expand(ctx, t.text, st, 0, {[n.name] = true})
        local issues = {}
        if count > 10 then
          issues[#issues + 1] = ("it needs %d DNS lookups after expanding includes, over the limit of 10"):format(count)
        end
        if st.voids > 2 then
          issues[#issues + 1] = ("%d void lookups, over the limit of 2"):format(st.voids)
        end
        if #st.broken > 0 then
          issues[#issues + 1] = "includes without a usable SPF record: " .. table.concat(st.broken, ", ")
        end
        if st.loop then
          issues[#issues + 1] = ("an include loop through %s"):format(st.loop)
        end
        local severity = severity_for(n.kind)
        if #issues == 0 and count >= 9 then
          severity = "notice"
          issues[1] = ("it needs %d of the 10 allowed DNS lookups; one more include will break it"):format(count)
        end
        if #issues > 0 then
          local zone = ctx:zone_of(n.name)
          local zname = zone and zone.name or dnsvet.name.parent(n.name)
          local consequence = severity == "notice" and ""
            or " Receivers stop such an evaluation with permerror, so SPF fails for "
              .. (n.kind == "mail_from" and "every message SES sends." or "mail sent as this domain.")
          ctx:report{
            subject = {name = n.name, type = "TXT"},
            severity = severity,
            message = ("The SPF record of %s (`%s`, on %s): %s. Lookups per term: %s.%s%s"):format(
              n.name, t.text, rep.server or rep.addr or "?", table.concat(issues, "; "),
              #st.top > 0 and table.concat(st.top, ", ") or "none", consequence,
              #st.unknown > 0 and (" Not looked up: " .. table.concat(st.unknown, ", ") .. ".") or ""),
            fix = severity == "notice" and ("Before adding another include to the TXT record `%s` in %s, make "
              .. "room: remove includes of services that no longer send mail, or replace `a` and `mx` by "
              .. "`ip4:`/`ip6:` ranges."):format(dnsvet.name.relative(n.name, zname), zname) or nil,
            vars = {relative = dnsvet.name.relative(n.name, zname), zone = zname},
            evidence = {{server = rep.server, addr = rep.addr, name = n.name, type = "TXT",
                         rcode = rep.rcode, answer = {t.rr.raw}}},
          }
        end
      end
    end
  end,
}
