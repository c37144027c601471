-- record.cname_conflict: a CNAME where other data must live, or beside other data.

-- The CNAME owned by `name` on the zone's own servers: from the answers to the
-- CNAME question, else from those to the question of the record's type.
local function cname_at(ctx, name, rtype)
  local list = ctx:rrs("own", name, "CNAME", "CNAME")
  if #list == 0 and rtype ~= "CNAME" then list = ctx:rrs("own", name, rtype, "CNAME") end
  return list[1]
end

-- Other data owned by `name` on the zone's own servers: it shows in the answers
-- to the questions of its own type (DNSSEC records, which live beside a CNAME
-- legitimately, are not asked for).
local function beside_cname(ctx, name)
  local list = {}
  for _, t in ipairs({"TXT", "MX", "A", "AAAA"}) do
    for _, o in ipairs(ctx:rrs("own", name, t, t)) do list[#list + 1] = o end
  end
  return list
end

return {
  id = "record.cname_conflict",
  title = "CNAME where other records must live",
  severity = "error",
  tags = {"ses", "record", "cname", "mail_from"},
  summary = "A CNAME sits at a name that must hold other records (MAIL FROM domain, zone apex), or beside other records.",
  fix = "In {zone}, delete the CNAME record `{relative}`, then add the {type} record `{value}` at `{relative}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
    "https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2",
  },
  order = 23,
  doc = [[
Checks every name where the identity needs a record for a CNAME that makes
the record impossible:
- the custom MAIL FROM domain is a CNAME: SES needs an MX and an SPF TXT at
  that very name, and a name with a CNAME can hold nothing else;
- the zone apex is a CNAME: the apex must hold the SOA and NS records, and
  the SPF TXT of the domain lives there too;
- a CNAME and other records at the same name (some panels allow it): DNS
  forbids it (RFC 1034 §3.6.2, RFC 2181 §10.1), and resolvers then return
  either the CNAME or the other records depending on the server and cache.

A CNAME at `_dmarc` alone is a legitimate way to hand DMARC to a provider and
is not reported.

Outcomes:
- error (warning for a recommended record), one per record the CNAME blocks,
  naming the CNAME target and the records beside it;
- nothing when no CNAME is in the way.

Fix: delete the CNAME (or the records beside it, when the CNAME is the record
SES needs). A MAIL FROM subdomain that must stay a CNAME for another service
calls for another MAIL FROM subdomain in SES.]],

  check = function(ctx)
    local mail_from = ctx.expect.mail_from and dnsvet.name.normalize(ctx.expect.mail_from)
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      -- without a CNAME at the name (the usual case) there is nothing in the way
      local cname = cname_at(ctx, name, r.type)
      local beside, zone, zname, rel, is_mail_from, is_apex
      if cname then
        beside = beside_cname(ctx, name)
        zone = ctx:zone_of(name)
        zname = zone and zone.name or dnsvet.name.parent(name)
        rel = dnsvet.name.relative(name, zname)
        is_mail_from = name == mail_from or r.role == "mail_from_mx" or r.role == "mail_from_spf"
        is_apex = zone ~= nil and zone.name == name
      end

      if cname and (#beside > 0 or (r.type ~= "CNAME" and (is_mail_from or is_apex))) then
        local target = dnsvet.name.normalize(cname.rr.target or "")
        local server = cname.reply.server or cname.reply.addr or "?"
        local msg, fix
        if #beside > 0 then
          local shown = {}
          for _, o in ipairs(beside) do shown[#shown + 1] = ("%s `%s`"):format(o.rr.type, o.rr.target or o.rr.text or o.rr.data) end
          msg = ("%s has a CNAME to %s and, beside it, %s (on %s): DNS allows no other record beside a CNAME, "
            .. "so resolvers return one or the other depending on the server and the cache."):format(
            name, target, table.concat(shown, ", "), server)
          if r.type == "CNAME" then
            fix = ("In %s, delete every record at `%s` except the CNAME to `%s`."):format(
              zname, rel, dnsvet.name.normalize(r.value or ""))
          end
        elseif is_mail_from then
          msg = ("%s, the MAIL FROM domain, is a CNAME to %s (on %s): a name with a CNAME can hold no other "
            .. "record, so the %s record SES needs there (`%s`) cannot exist."):format(
            name, target, server, r.type, r.value or "")
          local needs = {}
          for _, o in ipairs(ctx.expect.records or {}) do
            if dnsvet.name.normalize(o.name) == name then
              needs[#needs + 1] = ("the %s `%s`"):format(o.type, o.value or "")
            end
          end
          fix = ("In %s, delete the CNAME record `%s`, then add at `%s` %s. If the CNAME must stay for "
            .. "another service, set another MAIL FROM subdomain in SES instead."):format(
            zname, rel, rel, table.concat(needs, " and "))
        else
          msg = ("%s is the apex of the zone %s but answers a CNAME to %s (on %s): the apex must hold the SOA "
            .. "and NS records, so the CNAME breaks the zone and hides the %s record needed there."):format(
            name, zname, target, server, r.type)
          fix = ("In %s, delete the CNAME at the apex (`@`); for a web site there, use the provider's "
            .. "ALIAS/ANAME or CNAME flattening instead. Then add the %s record `%s` at `@`."):format(
            zname, r.type, r.value or "")
        end
        ctx:report{
          subject = {name = name, type = r.type},
          severity = (r.required == false) and "warning" or nil,
          message = msg,
          fix = fix,
          vars = {zone = zname, relative = rel, type = r.type, value = r.value or ""},
          evidence = {{server = cname.reply.server, addr = cname.reply.addr, name = name, type = "CNAME",
                       rcode = cname.reply.rcode, answer = {cname.rr.raw}}},
        }
      end
    end
  end,
}
