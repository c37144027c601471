-- record.wrong_value: the record is there with a value no specific rule explains.

local explained_by_other = dnsvet.lib("record").reported_by_other

-- SPF and DMARC records are not compared as fixed values: spf.* and dmarc.*
-- say what is wrong with them.
local SKIP_ROLES = {spf = true, mail_from_spf = true, dmarc = true}

-- Records of `rtype` owned by `name` in the authoritative replies of the
-- zone's own servers (named by the parent or the child).
local function owned(ctx, name, rtype)
  local list = {}
  for _, o in ipairs(ctx:rrs("own", name, rtype, rtype)) do list[#list + 1] = {rr = o.rr, rep = o.reply} end
  return list
end

-- The value as a user reads it in a control panel.
local function shown(rr)
  if rr.type == "CNAME" then return dnsvet.name.normalize(rr.target or rr.data) end
  if rr.type == "MX" then
    return ("%s %s"):format(rr.preference or "?", dnsvet.name.normalize(rr.exchange or ""))
  end
  return rr.text or rr.data
end

-- Whether `rr` carries the expected value. For the MAIL FROM MX only the
-- mail server matters: SES does not check the priority.
local function same(r, rr)
  if r.type == "MX" then
    local host = r.value:match("^%s*%d+%s+(%S+)") or r.value
    return dnsvet.rr.same_value("CNAME", rr.exchange or "", host)
  end
  return dnsvet.rr.same_value(r.type, rr, r.value)
end

return {
  id = "record.wrong_value",
  title = "Record has a different value",
  severity = "error",
  tags = {"ses", "record", "value"},
  summary = "The record is published at the right name with the right type, but with another value than SES gave.",
  fix = "In {zone}, edit the {type} record `{relative}`: replace `{found}` with `{value}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html",
    "https://repost.aws/knowledge-center/ses-verify-domain-pending",
  },
  order = 90,                          -- after every rule that explains a difference, before the summaries
  doc = [[
Compares the value of every record the identity needs (DKIM CNAME targets,
the MAIL FROM MX, the legacy `_amazonses` token, custom records) with the
value SES gave, on every authoritative server of the zone that holds it.
CNAME targets and MX mail servers compare without letter case (the MX priority
is not compared), TXT texts exactly. A value
SES cannot know (a BYODKIM public key) is not compared.

Why: SES accepts only the exact value. A value copied from another identity,
another region or an old setup looks right at a glance and keeps the identity
pending until verification fails.

This rule runs after the rules that explain a difference, and stays silent
for a record one of them explained: extra or missing characters, letter case,
the zone appended to the value, a CDN proxy, a wildcard, other DKIM tokens
(ses.dkim.token_mismatch), the MAIL FROM MX of another region, a legacy token
of another region. SPF and DMARC records are left to the spf.* and dmarc.*
rules.

Outcomes:
- error (warning for a recommended record): no server serves the expected
  value, and at least one serves another value of the same type; the message
  gives both values and the server;
- nothing when one server serves the expected value (if others do not, that
  is auth.inconsistent), or when no record of the type is there
  (record.missing, record.wrong_type).

Fix: edit the record and paste the value exactly as SES lists it; delete
copies with old values at the same name.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      if not SKIP_ROLES[r.role] and r.comparable ~= false and r.value then
        local found = owned(ctx, name, r.type)
        local right, other = false, nil
        for _, o in ipairs(found) do
          if same(r, o.rr) then right = true
          elseif not other then other = o end
        end
        if other and not right then
          if not explained_by_other(ctx, name, r.type) then
            local zone = ctx:zone_of(name)
            local zname = zone and zone.name or dnsvet.name.parent(name)
            local value = r.value
            if r.type == "CNAME" then value = dnsvet.name.normalize(value) end
            local evidence = {}
            for _, o in ipairs(found) do
              evidence[#evidence + 1] = {server = o.rep.server, addr = o.rep.addr, name = name, type = r.type,
                                         rcode = o.rep.rcode, answer = {o.rr.raw}}
            end
            ctx:report{
              subject = {name = name, type = r.type},
              severity = (r.required == false) and "warning" or nil,
              message = ("%s %s on %s is `%s`, but SES expects `%s`."):format(
                name, r.type, other.rep.server or other.rep.addr or "?", shown(other.rr), value),
              vars = {zone = zname, type = r.type, relative = dnsvet.name.relative(name, zname),
                      found = shown(other.rr), value = value},
              evidence = evidence,
            }
          end
        end
      end
    end
  end,
}
