-- record.wrong_type: a record of another type sits where SES needs a CNAME, TXT or MX.

local reported = dnsvet.lib("record").reported

-- The first record of type `rtype` owned by `name` in the authoritative replies to
-- the question (`name`, `qtype`), from the zone's own servers: a pair {rr, reply}, or nil.
local function first_of(ctx, name, qtype, rtype)
  return ctx:rrs("own", name, qtype, rtype)[1]
end

-- "an MX", "a TXT": the article as the type is read aloud.
local function a(rtype)
  return (rtype:match("^[AEFHILMNORSX]") and "an " or "a ") .. rtype
end

-- Whether a CNAME at `name` still leads to the expected TXT value (a CNAME
-- to a TXT elsewhere is a legitimate way to publish it).
local function chain_reaches(ctx, name, r)
  local e = ctx:answers(name, "TXT")
  local pools = {e and e.chain or {}}
  for _, rep in ipairs(e and e.auth or {}) do pools[#pools + 1] = rep.answer or {} end
  for _, pool in ipairs(pools) do
    for _, rr in ipairs(pool) do
      if rr.type == "TXT" then
        -- a value SES does not know (BYODKIM: the user's own key) counts when it is a key
        if r.comparable == false and (rr.text or ""):find("p=", 1, true) then return true end
        if rr.text == r.value then return true end
      end
    end
  end
  return false
end

local function in_cdn(addr)
  local data = dnsvet.data("cdn_ranges") or {}
  for _, p in ipairs(data.providers or {}) do
    for _, list in ipairs({p.ipv4 or {}, p.ipv6 or {}}) do
      for _, prefix in ipairs(list) do
        if dnsvet.cidr.contains(prefix, addr) then return true end
      end
    end
  end
  return false
end

-- The MAIL FROM and DMARC names have their own rules for a CNAME there
-- (record.cname_conflict, dmarc.*); SPF names too (spf.*).
local SKIP_ROLES = {dmarc = true, spf = true, mail_from_spf = true}

return {
  id = "record.wrong_type",
  title = "Record has the wrong type",
  severity = "error",
  tags = {"ses", "record", "type"},
  summary = "A record of another type sits where SES needs a CNAME, a TXT or an MX.",
  fix = "In {zone}, delete the {found_type} record `{relative}` and add {a_type} record "
     .. "with name `{relative}` and value `{value}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html",
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html",
  },
  order = 25,
  doc = [[
Checks that each record SES needs has the right type, when the record of that
type is absent but another type answers at the name:
- a TXT where a CNAME is required: an Easy DKIM identity published with a key
  TXT (the BYODKIM form), or a token pasted into a TXT;
- a CNAME where a TXT is required: a BYODKIM identity (or the legacy
  `_amazonses` token) published as an Easy DKIM CNAME, unless the CNAME leads
  to the expected TXT value;
- an A or AAAA where a CNAME is required (addresses of a CDN proxy are
  record.proxied instead);
- an A or AAAA where the MAIL FROM MX is required.

SES looks up exactly one type per name: it follows the CNAME of an Easy DKIM
record to its own key, it reads the BYODKIM or token TXT, it needs the MX for
bounces. A record of another type is as good as none, and DKIM mode mixups
(Easy DKIM vs BYODKIM) are a common reason for an identity that never verifies.

Outcomes:
- error (warning for a recommended record), naming what was found and what is
  needed;
- nothing when the right type is there, or when nothing is there at all
  (record.missing). CNAMEs at the MAIL FROM name or the zone apex are
  record.cname_conflict.

Fix: delete the record of the wrong type and add the one SES lists.]],

  check = function(ctx)
    -- what else the names missing their CNAME or MX hold, asked together (a complete zone
    -- costs no question; a CNAME where a TXT belongs shows in the TXT answer itself)
    local questions = {}
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      if (r.type == "CNAME" or r.type == "MX") and not SKIP_ROLES[r.role]
          and not first_of(ctx, name, r.type, r.type) and dnsvet.authoritative(ctx, name, r.type) then
        for _, t in ipairs(r.type == "CNAME" and {"TXT", "A", "AAAA"} or {"A", "AAAA"}) do
          questions[#questions + 1] = {name = name, type = t}
        end
      end
    end
    if #questions > 0 then pcall(ctx.query, ctx, "authoritative", questions) end

    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      local found, why = nil, nil
      local value = r.value or ""

      if not SKIP_ROLES[r.role] then
        if r.type == "CNAME" and not first_of(ctx, name, "CNAME", "CNAME") then
          value = dnsvet.name.normalize(value)
          found = first_of(ctx, name, "TXT", "TXT")
          if found then
            why = (found.rr.text or ""):find("p=", 1, true)
              and "a DKIM key in a TXT record is the BYODKIM form, but this identity uses Easy DKIM, "
                .. "which needs a CNAME to the key SES hosts"
              or "SES follows a CNAME here and does not read TXT records"
          else
            for _, t in ipairs({"A", "AAAA"}) do
              local o = first_of(ctx, name, t, t)
              if o and o.rr.address and not in_cdn(o.rr.address) and not found then
                found, why = o, "an address record cannot lead SES to the DKIM key"
              end
            end
          end
        elseif r.type == "TXT" then
          local c = first_of(ctx, name, "TXT", "CNAME") or first_of(ctx, name, "CNAME", "CNAME")
          if c and not chain_reaches(ctx, name, r) then
            found = c
            why = (r.role == "byodkim") and
              ("a CNAME into %s is the Easy DKIM form, but this identity uses BYODKIM (your own key), "
               .. "which needs the public key in a TXT record"):format(dnsvet.name.parent(c.rr.target or ""))
              or "the CNAME does not lead to a TXT record with the expected value"
          end
        elseif r.type == "MX" and not first_of(ctx, name, "MX", "MX") then
          for _, t in ipairs({"A", "AAAA"}) do
            local o = first_of(ctx, name, t, t)
            if o and not found then
              found, why = o, "an address record does not route mail: bounces for the MAIL FROM domain need an MX"
            end
          end
        end
      end

      -- an earlier rule that reported on the record explained it already
      if found and not reported(ctx, name, r.type) then
        local zone = ctx:zone_of(name)
        local zname = zone and zone.name or dnsvet.name.parent(name)
        local rel = dnsvet.name.relative(name, zname)
        local rr = found.rr
        local shown = rr.target or rr.text or rr.address or rr.data
        local fix = nil
        if r.type == "MX" then
          local pref, host = value:match("^%s*(%d+)%s+(%S+)")
          fix = ("In %s, add an MX record with name `%s`, priority %s and mail server `%s`. "
            .. "The %s record can stay if something else uses it."):format(
            zname, rel, pref or "10", dnsvet.name.normalize(host or value), rr.type)
        end
        ctx:report{
          subject = {name = name, type = r.type},
          severity = (r.required == false) and "warning" or nil,
          message = ("%s has %s record (`%s`, on %s) where SES needs %s record (`%s`): %s.")
            :format(name, a(rr.type), shown, found.reply.server or found.reply.addr or "?", a(r.type), value, why),
          fix = fix,
          vars = {zone = zname, found_type = rr.type, relative = rel, a_type = a(r.type), value = value},
          evidence = {{server = found.reply.server, addr = found.reply.addr, name = name, type = rr.type,
                       rcode = found.reply.rcode, answer = {rr.raw}}},
        }
      end
    end
  end,
}
