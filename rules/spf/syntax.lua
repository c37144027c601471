-- spf.syntax: the SPF record does not parse, or parses into something unintended.

local spf = dnsvet.lib("spf")
local spf_names, is_spf, txt_at, severity_for, meant_as_spf =
  spf.names, spf.is_record, spf.txt_at, spf.severity_for, spf.meant_as

local MECHS = {all = true, include = true, a = true, mx = true, ptr = true, ip4 = true, ip6 = true, exists = true}

local function valid_ip4(s)
  local o = {s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")}
  if #o ~= 4 then return false end
  for _, x in ipairs(o) do
    if tonumber(x) > 255 or (#x > 1 and x:sub(1, 1) == "0") then return false end
  end
  return true
end

local function valid_ip6(s)
  if not s:find(":", 1, true) or s:find("[^%x:%.]") then return false end
  local _, doubles = s:gsub("::", "")
  if doubles > 1 then return false end
  local groups = 0
  for g in s:gmatch("[^:]+") do
    groups = groups + 1
    if #g > 4 and not valid_ip4(g) then return false end
  end
  return groups <= 8 and (doubles == 1 or groups == 8 or s:find("%.") ~= nil)
end

-- nil when `d` is a usable domain-spec (RFC 7208 §7.1), else why not.
local function domain_problem(d)
  if d == "" then return "an empty domain" end
  if d:find("%", 1, true) then
    local rest = d:gsub("%%{[slodiphcrtv]%d*r?[%.%-%+,/_=]*}", ""):gsub("%%[%%_%-]", "")
    if rest:find("%", 1, true) then return "a malformed macro in `" .. d .. "`" end
    return nil
  end
  if d:find("[^%w%.%-_]") then return ("`%s` is not a domain name (bad character)"):format(d) end
  local bare = d:gsub("%.$", "")
  if not bare:find(".", 1, true) then return ("`%s` is not a full domain name"):format(d) end
  if bare:find("..", 1, true) then return ("`%s` has an empty label"):format(d) end
  if bare:match("[^.]+$"):match("^%d+$") then
    return ("`%s` is not a domain name (an address belongs in ip4:)"):format(d)
  end
  return nil
end

-- Problems of one mechanism `name` with its argument text `arg` (after the name).
local function mechanism_problem(name, arg, term)
  local function cidr(s, max)
    if s == "" then return true end
    local n = tonumber(s:match("^/(%d+)$") or "")
    return n ~= nil and n <= max
  end
  if name == "all" then
    if arg ~= "" then return ("`%s`: `all` takes no argument"):format(term) end
  elseif name == "include" or name == "exists" then
    if arg:sub(1, 1) ~= ":" then return ("`%s`: `%s` needs `:domain`"):format(term, name) end
    local why = domain_problem(arg:sub(2))
    if why then return ("`%s`: %s"):format(term, why) end
  elseif name == "ip4" or name == "ip6" then
    local addr, len = arg:match("^:([^/]*)(.*)$")
    if not addr then return ("`%s`: `%s` needs `:address`"):format(term, name) end
    local ok = (name == "ip4") and valid_ip4(addr) or (name == "ip6" and valid_ip6(addr))
    if not ok then return ("`%s`: `%s` is not an %s address"):format(term, addr, name == "ip4" and "IPv4" or "IPv6") end
    if not cidr(len, name == "ip4" and 32 or 128) then return ("`%s`: bad prefix length `%s`"):format(term, len) end
  else -- a, mx, ptr: [":" domain] then "/n", "//n" or "/n//n" (not for ptr)
    local dom, lens = arg:match("^:([^/]*)(.*)$")
    if not dom then lens = arg end
    if dom then
      local why = domain_problem(dom)
      if why then return ("`%s`: %s"):format(term, why) end
    end
    if name == "ptr" and lens ~= "" then return ("`%s`: `ptr` takes no prefix length"):format(term) end
    if lens ~= "" then
      local l4, l6 = lens:match("^/(%d+)//(%d+)$")
      if not l4 then l4 = lens:match("^/(%d+)$") end
      if not l4 and not l6 then l6 = lens:match("^//(%d+)$") end
      if not (l4 or l6) or (l4 and tonumber(l4) > 32) or (l6 and tonumber(l6) > 128) then
        return ("`%s`: bad prefix length `%s`"):format(term, lens)
      end
    end
  end
  return nil
end

-- Run-together terms: one term holding the start of another.
local JOINED = {"include:", "ip4:", "ip6:", "redirect=", "exists:", "v=spf1"}
local JOINED_END = {"~all", "-all", "?all", "+all"}

-- Every problem of one SPF text: list of {level, what, how}.
local function problems(text, strings)
  local list = {}
  local function add(level, what, how) list[#list + 1] = {level = level, what = what, how = how} end

  if text:find("[\128-\255]") then
    local smart = text:find("\u{201C}", 1, true) or text:find("\u{201D}", 1, true)
      or text:find("\u{2018}", 1, true) or text:find("\u{2019}", 1, true)
    add("error", smart and "it contains typographic quotes (“ ” or ‘ ’)" or "it contains non-ASCII characters",
        "retype the record in a plain-text editor: SPF allows only ASCII")
  end
  local lead = text:match("^[%s\"']+") or ""
  if lead ~= "" or not is_spf(text) then
    local first = text:match("^%S*") or ""
    if lead:find("[\"']") then
      local what = lead:find("%s") and "quotes and spaces" or "quotes"
      add("error", what .. " are stored as part of the text, so it does not start with `v=spf1` and receivers ignore it",
          ("enter the value without the %s around it (the panel adds its own quotes)"):format(what))
    elseif lead ~= "" then
      add("error", "it starts with a space, so it does not start with `v=spf1` and receivers ignore it",
          "remove the leading space")
    else
      add("error", ("it starts with `%s` instead of `v=spf1`, so receivers ignore it"):format(first),
          "begin the record with `v=spf1`")
    end
  end
  if #text > 512 then
    add("warning", ("it is %d bytes long; over 512 the DNS answer may not fit in one UDP packet (RFC 7208 §3.4)"):format(#text),
        "shorten it, e.g. by moving address ranges into an included record")
  end

  -- judge the terms of what was meant, without the quotes or spaces around it
  local body = text:gsub("^[%s\"']+", ""):gsub("[%s\"']+$", "")
  local terms = {}
  for t in body:gmatch("[^ ]+") do terms[#terms + 1] = t end
  local counts, seen_all, after_all = {redirect = 0, exp = 0}, false, {}
  for i, term in ipairs(terms) do
    local t = term:gsub("^[\"'\u{201C}\u{201D}]+", ""):gsub("[\"'\u{201C}\u{201D}]+$", "")
    local lower = t:lower()
    if i == 1 and lower:match("^v%s*=") then goto continue end -- judged above
    if i > 1 and lower == "v=spf1" then
      add("error", "`v=spf1` appears a second time inside the record: two records were pasted into one",
          "keep one `v=spf1` and merge the terms of both")
      goto continue
    end
    local joined = false
    local bare = lower:gsub("^[%+%-~%?]", "")
    for _, j in ipairs(JOINED) do
      if bare:find(j, 2, true) then joined = true end
    end
    for _, j in ipairs(JOINED_END) do
      if #bare > #j and bare:sub(-#j) == j then joined = true end
    end
    if joined then
      local note = (#(strings or {}) > 1) and " (the record's strings are joined with no space between them)" or ""
      add("error", ("`%s` is two terms run together%s"):format(term, note), "put a space between the two terms")
      goto continue
    end
    if seen_all then after_all[#after_all + 1] = term end
    do
      local mname, mval = t:match("^([%a][%w%-_%.]*)=(.*)$")
      if mname then
        local lname = mname:lower()
        if MECHS[lname] then
          add("error", ("`%s` uses `=` where the mechanism `%s` takes `:`"):format(term, lname),
              ("write `%s:%s`"):format(lname, mval))
        elseif lname == "redirect" or lname == "exp" then
          counts[lname] = counts[lname] + 1
          local why = domain_problem(mval)
          if why then add("error", ("`%s`: %s"):format(term, why), "give a valid domain name") end
        else
          add("notice", ("`%s` is an unknown modifier; receivers ignore it"):format(term),
              "remove it unless a receiver you know of reads it")
        end
      else
        local q, rest = t:match("^([%+%-~%?]?)(.*)$")
        local name = rest:match("^(%a[%w]*)")
        local lname = name and name:lower()
        if not name then
          add("error", ("`%s` has a bad qualifier or is not a mechanism"):format(term),
              "use only `+`, `-`, `~` or `?` before a mechanism")
        elseif not MECHS[lname] then
          add("error", ("`%s` is not an SPF mechanism (unknown `%s`), which makes SPF fail with permerror"):format(term, name),
              "use only all, include, a, mx, ptr, ip4, ip6, exists")
        else
          local why = mechanism_problem(lname, rest:sub(#name + 1), term)
          if why then add("error", why, ("correct `%s`"):format(term)) end
          if lname == "ptr" then
            add("notice", ("`%s`: the ptr mechanism is slow and deprecated (RFC 7208 §5.5)"):format(term),
                "replace it with ip4:/ip6: ranges or an include")
          end
          if lname == "all" then
            seen_all = true
            if q == "" or q == "+" then
              add("warning", ("`%s` lets any server on the Internet pass SPF for this domain"):format(term),
                  "end the record with `~all` or `-all`")
            end
          end
        end
      end
    end
    ::continue::
  end
  if counts.redirect > 1 then add("error", "`redirect=` appears more than once (permerror)", "keep one `redirect=`") end
  if counts.exp > 1 then add("error", "`exp=` appears more than once (permerror)", "keep one `exp=`") end
  if #after_all > 0 then
    add("warning", ("terms after `all` are never evaluated: `%s`"):format(table.concat(after_all, " ")),
        "move them before the `all` term")
  end
  if seen_all and counts.redirect > 0 then
    add("notice", "`redirect=` is ignored because the record also has `all`", "remove one of the two")
  end
  return list
end

local RANK = {error = 3, warning = 2, notice = 1}

return {
  id = "spf.syntax",
  title = "SPF record syntax error",
  severity = "error",
  tags = {"spf"},
  summary = "The SPF record does not parse (permerror), is ignored, or contains terms that do not do what was meant.",
  fix = "Edit the TXT record `{relative}` in {zone}: {how}.",
  references = {"https://www.rfc-editor.org/rfc/rfc7208#section-4.6", "https://www.rfc-editor.org/rfc/rfc7208#section-5"},
  order = 50,
  doc = [[
Parses every SPF record (and every TXT meant as one) on the MAIL FROM domain
and on the identity domain, term by term, as RFC 7208 does:
- the record must start with `v=spf1`: quotes stored as data, a leading space
  or a typo make receivers ignore the whole record;
- only ASCII; typographic quotes pasted from a word processor break it;
- mechanisms are all, include, a, mx, ptr, ip4, ip6, exists, each with a valid
  argument (a domain, an address, a prefix length) and an optional qualifier
  `+ - ~ ?`; modifiers are `name=value`, with `redirect` and `exp` at most once;
- two terms run together (a missing space, often where the record was split
  into several strings) are reported as such;
- over 512 bytes risks truncated answers;
- advice: `+all` or a bare `all` authorises everyone, terms after `all` are
  never used, `ptr` is deprecated, `redirect` beside `all` is ignored.

A syntax error makes the whole SPF evaluation a permerror: receivers treat the
mail as not authorised, and DMARC cannot pass through SPF.

Outcomes (one finding per record, listing every problem):
- error on the MAIL FROM domain, warning on the identity domain, for a record
  that is ignored or fails with permerror;
- warning for a risk (size, `+all`, terms after `all`); notice for advice only;
- nothing for a clean record. Several records at one name are spf.multiple.

Fix: the message lists each problem; the fix says what to change in the TXT.]],

  check = function(ctx)
    for _, n in ipairs(spf_names(ctx)) do
      local texts, rep = txt_at(ctx, n.name)
      for _, t in ipairs(texts or {}) do
        if meant_as_spf(t.text) then
          local list = problems(t.text, t.rr.strings)
          if #list > 0 then
            local top, whats, hows, seen_how = 0, {}, {}, {}
            for i, p in ipairs(list) do
              top = math.max(top, RANK[p.level])
              whats[#whats + 1] = ("%d) %s"):format(i, p.what)
              if not seen_how[p.how] then seen_how[p.how] = true; hows[#hows + 1] = p.how end
            end
            local severity = top == 3 and severity_for(n.kind) or (top == 2 and "warning" or "notice")
            local zone = ctx:zone_of(n.name)
            local zname = zone and zone.name or dnsvet.name.parent(n.name)
            ctx:report{
              subject = {name = n.name, type = "TXT"},
              severity = severity,
              message = ("The SPF record at %s (`%s`, on %s) has %d problem(s): %s."):format(
                n.name, t.text, rep.server or rep.addr or "?", #list, table.concat(whats, "; ")),
              vars = {relative = dnsvet.name.relative(n.name, zname), zone = zname, how = table.concat(hows, "; ")},
              evidence = {{server = rep.server, addr = rep.addr, name = n.name, type = "TXT",
                           rcode = rep.rcode, answer = {t.rr.raw}}},
            }
          end
        end
      end
    end
  end,
}
