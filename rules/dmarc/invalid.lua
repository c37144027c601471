-- dmarc.invalid: the DMARC record receivers would use is malformed, ambiguous or partly ignored.

local dmarc = dnsvet.lib("dmarc")
local identity_of, walk, txt_at, is_dmarc, meant_as_dmarc =
  dmarc.identity_of, dmarc.walk, dmarc.txt_at, dmarc.is_record, dmarc.meant_as

-- `s` without the whitespace around it. (Matching up to the last non-space is the same as
-- the usual "^%s*(.-)%s*$" but does not test for the end of the string at every character.)
local function trim(s)
  return s:match("^%s*(.*%S)") or ""
end

-- Why a record meant as DMARC does not start the way receivers require.
local function bad_start(text)
  if text:match("^[%s\"'\u{201C}\u{201D}]") then
    return "it starts with " .. (text:match("^%s") and "a space" or "a quote") ..
      " (receivers need `v=DMARC1` as its very first characters)"
  end
  local v = text:match("^[vV]%s*=%s*([^;%s]*)")
  if v then
    if v:upper() == "DMARC1" then return ("the version is `%s`, but must be written `DMARC1` in capitals"):format(v) end
    return ("the version is `%s`, not `DMARC1`"):format(v)
  end
  return "`v=DMARC1` is not the first tag"
end

local POLICY = {none = true, quarantine = true, reject = true}
local KNOWN = {
  v = "", p = "", sp = "", np = "RFC 9989", psd = "RFC 9989", t = "RFC 9989",
  rua = "", ruf = "", adkim = "", aspf = "", fo = "",
  pct = "obsolete", rf = "obsolete", ri = "obsolete",
}

-- Problems of one reporting-address list; each must be a `mailto:` URI.
local function uri_problems(tag, value, out)
  for uri in (value .. ","):gmatch("([^,]*),") do
    uri = trim(uri)
    local scheme, rest = uri:match("^(%a[%w+.-]*):(.*)$")
    if uri == "" then
      out[#out + 1] = {serious = true, text = ("`%s=%s` has an empty address"):format(tag, value)}
    elseif not scheme and uri:find("@", 1, true) then
      out[#out + 1] = {serious = true, text = ("`%s` lists `%s` without `mailto:`, so no report is sent there")
        :format(tag, uri)}
    elseif not scheme then
      out[#out + 1] = {serious = true, text = ("`%s` lists `%s`, which is not a URI"):format(tag, uri)}
    elseif scheme:lower() == "mailto" then
      -- a size limit (`!10m`) may follow the address
      local addr = rest
      if rest:find("!", 1, true) then addr = rest:gsub("!%d+[kKmMgGtT]?$", "") end
      if not addr:match("^[^@%s]+@[%w_-][%w_.-]*%.[%a][%w-]*$") then
        out[#out + 1] = {serious = true, text = ("`%s` lists `%s`, which is not a valid mail address")
          :format(tag, uri)}
      end
    end
  end
end

-- Problems of one tag's value: {serious =, text =} each, none when it is fine.
local function tag_problems(k, v)
  local out = {}
  local function add(serious, fmt, ...) out[#out + 1] = {serious = serious, text = fmt:format(...)} end
  -- `p=none rua=...`: another tag inside the value (only a value holding `=` can have one)
  local missing_sep = v:find("=", 1, true) and v:match("^%S+%s+(%a+%s*=)")
  if missing_sep then
    add(true, "a `;` is missing before `%s` in `%s=%s`", (missing_sep:gsub("%s", "")), k, v)
  elseif (k == "p" or k == "sp" or k == "np") and not POLICY[v:lower()] then
    add(true, "`%s=%s` is not a policy (none, quarantine or reject)", k, v)
  elseif (k == "adkim" or k == "aspf") and not (v:lower() == "r" or v:lower() == "s") then
    add(true, "`%s=%s` must be `r` (relaxed) or `s` (strict)", k, v)
  elseif k == "pct" and not (v:match("^%d+$") and tonumber(v) <= 100) then
    add(true, "`pct=%s` is not a percentage from 0 to 100", v)
  elseif k == "pct" and tonumber(v) < 100 then
    add(false, "`pct=%s` is obsolete (RFC 9989): receivers that follow RFC 9989 apply the policy to "
      .. "all failing mail, not %s%%; use `t=y` to test a policy", v, v)
  elseif k == "ri" and not v:match("^%d+$") then
    add(true, "`ri=%s` is not a number of seconds", v)
  elseif k == "fo" then
    for o in (v .. ":"):gmatch("([^:]*):") do
      o = trim(o)
      if not (o == "0" or o == "1" or o:lower() == "d" or o:lower() == "s") then
        add(true, "`fo=%s` has `%s`; the options are 0, 1, d and s, separated by `:`", v, o)
        break
      end
    end
  elseif k == "rf" and not v:lower():match("^afrf%s*$") then
    add(true, "`rf=%s` is not a known report format (afrf)", v)
  elseif k == "psd" and not (v == "y" or v == "n" or v == "u") then
    add(true, "`psd=%s` must be `y`, `n` or `u`", v)
  elseif k == "t" and not (v == "y" or v == "n") then
    add(true, "`t=%s` must be `y` or `n`", v)
  elseif k == "rua" or k == "ruf" then
    uri_problems(k, v, out)
  elseif k == "v" and v ~= "DMARC1" then
    add(true, "the version is `%s`, not `DMARC1`", v)
  elseif not KNOWN[k] then
    add(false, "the tag `%s` is unknown (a typo?) and receivers ignore it", k)
  end
  return out
end

-- The `tag=value` pairs of a record, in order; pieces that are not pairs as `bad`.
local function pairs_of(text)
  local list = {}
  for part in (text .. ";"):gmatch("([^;]*);") do
    local p = trim(part)
    if p ~= "" then
      local k, v = p:match("^([%w_]+)%s*=%s*(.*)$")
      list[#list + 1] = k and {k = k:lower(), v = v} or {bad = p}
    end
  end
  return list
end

-- Problems of one record starting with v=DMARC1: {serious =, text =} each.
local function problems_of(text)
  local out, seen, order = {}, {}, {}
  for _, t in ipairs(pairs_of(text)) do
    if t.bad then
      out[#out + 1] = {serious = true, text = ("`%s` is not a `tag=value` pair"):format(t.bad)}
    elseif seen[t.k] then
      out[#out + 1] = {serious = true, text = ("the tag `%s` appears twice (`%s=%s` and `%s=%s`)")
        :format(t.k, t.k, seen[t.k], t.k, t.v)}
    else
      seen[t.k] = t.v
      order[#order + 1] = t.k
      for _, p in ipairs(tag_problems(t.k, t.v)) do out[#out + 1] = p end
    end
  end
  if not seen.p then
    out[#out + 1] = {serious = true, text = "there is no `p` tag, so the record asks for no policy: receivers "
      .. "treat it as `p=none` at best (RFC 7489 readers ignore it unless `rua` is valid)"}
  elseif order[2] ~= "p" then
    out[#out + 1] = {serious = false, text = "`p` is not the second tag: RFC 7489 requires it right after "
      .. "`v=DMARC1`, and some receivers still enforce that"}
  end
  return out
end

-- A well-formed record keeping what `text` meant: quotes and spaces around it
-- dropped, `;` put back between tags, invalid and unknown tags left out, `p`
-- second (none when it had no valid one), obsolete `pct` left out.
local function corrected(text)
  text = text:gsub("^[%s\"'\u{201C}\u{201D}]+", ""):gsub("[%s\"'\u{201C}\u{201D}]+$", "")
  text = text:gsub("%s+(%a+)%s*=", function(k) if KNOWN[k:lower()] then return "; " .. k .. "=" end end)
  local kept, seen, p = {}, {}, "none"
  for _, t in ipairs(pairs_of(text)) do
    if t.k and KNOWN[t.k] and not seen[t.k] and t.k ~= "v" and t.k ~= "pct" then
      seen[t.k] = true
      local ok = true
      for _, prob in ipairs(tag_problems(t.k, t.v)) do if prob.serious then ok = false end end
      if ok and t.k == "p" then p = t.v:lower()
      elseif ok then kept[#kept + 1] = t.k .. "=" .. t.v end
    end
  end
  table.insert(kept, 1, "p=" .. p)
  table.insert(kept, 1, "v=DMARC1")
  return table.concat(kept, "; ")
end

return {
  id = "dmarc.invalid",
  title = "DMARC record malformed",
  severity = "warning",
  tags = {"dmarc"},
  summary = "The DMARC record is malformed, or there are several: receivers ignore it or parts of it.",
  fix = "In {zone}, replace the TXT record at `{relative}` with `{corrected}`{others}.",
  references = {
    "https://www.rfc-editor.org/rfc/rfc7489",
    "https://www.rfc-editor.org/rfc/rfc9989",
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html",
  },
  order = 70,
  doc = [[
Finds the DMARC policy the way receivers do: the TXT records at
`_dmarc.DOMAIN`, then, when there is none, at `_dmarc` of each parent down to
two labels (the DNS tree walk of RFC 9989; for `shop.example.com` that is
`_dmarc.example.com`, the organizational domain of RFC 7489). A CNAME at
`_dmarc` is followed. Then checks the records found, against both RFC 7489
and RFC 9989 (DMARCbis):
- a TXT meant as DMARC that does not start with `v=DMARC1` (quotes or spaces
  stored with it, `v=dmarc1` in lower case, another tag first): receivers
  skip it as if it were absent;
- several DMARC records at one name: receivers apply none of them;
- tags: `p`, `sp` and `np` must be none, quarantine or reject; `adkim` and
  `aspf` r or s; `pct` 0 to 100; `fo` a `:` list of 0, 1, d, s; `rf` afrf;
  `ri` a number; `psd` y, n or u; `t` y or n; `rua` and `ruf` a `,` list of
  `mailto:` URIs with valid addresses; no tag twice; `;` between tags;
- a missing `p`.
The tags of RFC 9989 (`np`, `psd`, `t`) and the ones it removed (`pct`, `rf`,
`ri`) are all accepted. A `pct` below 100 is noted as obsolete: receivers that
follow RFC 9989 apply the policy to all failing mail.

Why: DMARC is not needed for SES verification, but receivers (large mailbox
providers require DMARC of bulk senders) read this record to decide what to
do with mail from the domain. A malformed record is ignored whole or in part
without any warning to the sender, so the policy the owner chose never
applies and reports never arrive.

Outcomes:
- warning: the record (or the TXT meant as one) is ignored, ambiguous, or a
  tag is invalid; the message lists every problem;
- notice: only minor points (an unknown tag, `p` not second, an obsolete
  `pct` below 100);
- nothing for a well-formed single record, or when there is no record at
  all (dmarc.missing).

Fix: publish exactly one TXT record at `_dmarc.DOMAIN` starting with
`v=DMARC1; p=...`, tags separated by `;`, report addresses as
`mailto:` URIs.]],

  probes = function(expect)
    local domain = identity_of(expect)
    local list = {}
    for _, n in ipairs(domain and walk(domain) or {}) do list[#list + 1] = {name = n, type = "TXT"} end
    return list
  end,

  check = function(ctx)
    local domain = dnsvet.name.normalize(ctx.domain or "")
    if domain == "" then return end
    for _, name in ipairs(walk(domain)) do
      local texts, rep = txt_at(ctx, name)
      if not texts then return end    -- not answered: nothing can be said from here up
      local records, broken, problems = {}, {}, {}
      for _, t in ipairs(texts) do
        if is_dmarc(t.text) then records[#records + 1] = t
        elseif meant_as_dmarc(t.text) then broken[#broken + 1] = t end
      end
      for _, t in ipairs(broken) do
        problems[#problems + 1] = {serious = true, text = ("`%s` is skipped by receivers: %s")
          :format(t.text, bad_start(t.text))}
      end
      if #records > 1 then
        local shown = {}
        for _, t in ipairs(records) do shown[#shown + 1] = "`" .. t.text .. "`" end
        problems[#problems + 1] = {serious = true, text = ("there are %d DMARC records (%s), and receivers "
          .. "apply none of them when there is more than one"):format(#records, table.concat(shown, ", "))}
      elseif #records == 1 then
        for _, p in ipairs(problems_of(records[1].text)) do problems[#problems + 1] = p end
      end

      if #problems > 0 then
        local serious, said = false, {}
        for _, p in ipairs(problems) do
          if p.serious then serious = true end
          said[#said + 1] = p.text
        end
        local zone = ctx:zone_of(name)
        local zname = zone and zone.name or dnsvet.name.parent(name)
        local answer = {}
        for _, t in ipairs(texts) do answer[#answer + 1] = t.rr.raw end
        local applies = name == "_dmarc." .. domain and ""
          or (", the policy that applies to %s"):format(domain)
        local base = records[1] or broken[1]
        ctx:report{
          subject = {name = name, type = "TXT"},
          severity = serious and "warning" or "notice",
          message = ("The DMARC record at %s%s (on %s): %s."):format(
            name, applies, rep.server or rep.addr or "?", table.concat(said, "; ")),
          vars = {zone = zname, relative = dnsvet.name.relative(name, zname), corrected = corrected(base.text),
                  others = (#records + #broken > 1) and ", and delete the other DMARC records there" or ""},
          evidence = {{server = rep.server, addr = rep.addr, name = name, type = "TXT", rcode = rep.rcode,
                       answer = answer}},
        }
      end
      -- receivers stop at the first name with a DMARC record
      if #records > 0 then return end
    end
  end,
}
