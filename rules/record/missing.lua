-- record.missing: a record SES needs is not on the authoritative servers, and no near miss explains why.

local explained_by_other = dnsvet.lib("record").reported_by_other

-- SPF and DMARC records are not compared as fixed values: spf.* and dmarc.*
-- say what is wrong with them.
local SKIP_ROLES = {spf = true, mail_from_spf = true, dmarc = true}

-- Whether any reply holds a record of `rtype` (or a CNAME standing in for
-- it) owned by `name`.
local function present(replies, name, rtype)
  for _, rep in ipairs(replies) do
    for _, rr in ipairs(rep.answer or {}) do
      if rr.name == name and (rr.type == rtype or rr.type == "CNAME") then return true end
    end
  end
  return false
end

-- "an MX", "a TXT": the article as the type is read aloud.
local function a(rtype)
  return (rtype:match("^[AEFHILMNORSX]") and "an " or "a ") .. rtype
end

return {
  id = "record.missing",
  title = "Record not published",
  severity = "error",
  tags = {"ses", "record"},
  summary = "A record SES needs is not on the domain's authoritative servers, under its name or any near miss of it.",
  fix = "At the DNS host of {zone} ({servers}), add {a_type} record with name `{relative}` and value `{value}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html",
    "https://repost.aws/knowledge-center/ses-verify-domain-pending",
  },
  order = 90,                          -- after every rule that explains an absence, before the summaries
  doc = [[
Checks every record the identity needs (the DKIM CNAMEs or the BYODKIM key,
the MAIL FROM MX, the legacy `_amazonses` token, custom records) on the
authoritative servers of the zone that holds it: each server named by the
parent or by the zone is asked directly, and the record counts as present
when one of them serves a record of the expected type (or a CNAME) at the
exact name.

Why: SES looks the record up exactly where it told you to put it. A record
that was never added, was deleted, or was saved in another zone keeps the
identity pending until verification fails after 72 hours.

This rule runs after the rules that find a record near its place, and stays
silent for a record one of them explained: zone appended twice
(record.name_double_suffix), underscore dropped (record.underscore_dropped),
saved at a DNS host the domain is not delegated to
(delegation.records_elsewhere), a record of another type
(record.wrong_type), a CNAME in the way (record.cname_conflict), and the SES
rules for the MAIL FROM MX and the legacy token. SPF and DMARC records are
left to the spf.* and dmarc.* rules.

Outcomes:
- error (warning for a recommended record): every answering server says
  NXDOMAIN (the name does not exist) or has no record of the type there; the
  message names the servers and their answer;
- nothing when one server serves the record (if others do not, that is
  auth.inconsistent), when no server answered (delegation.lame,
  engine.unreachable), or when the zone itself is broken (delegation.*).

Fix: add the record at the DNS host the domain is delegated to, with the
name and value SES lists, then wait for the negative-cache time of the zone
(the SOA minimum) before asking SES to check again.]],

  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      -- nil when the zone could not be asked or none of its servers answered: then
      -- nothing is known about the record, and delegation.* or engine.unreachable say why
      local replies, zone
      if not SKIP_ROLES[r.role] then replies, zone = dnsvet.authoritative(ctx, name, r.type) end
      if replies and not present(replies, name, r.type) then
        if not explained_by_other(ctx, name, r.type) then
          local nx, nodata, servers, seen, evidence = {}, {}, {}, {}, {}
          for _, rep in ipairs(replies) do
            local label = rep.server or rep.addr or "?"
            if not seen[label] then
              seen[label] = true
              servers[#servers + 1] = label
              if rep.rcode == "NXDOMAIN" then nx[#nx + 1] = label else nodata[#nodata + 1] = label end
            end
            evidence[#evidence + 1] = {server = rep.server, addr = rep.addr, name = name, type = r.type,
                                       rcode = rep.rcode, answer = {}}
          end
          local said = {}
          if #nx > 0 then
            said[#said + 1] = ("%s answer%s NXDOMAIN (no record of any type at that name)")
              :format(table.concat(nx, ", "), #nx == 1 and "s" or "")
          end
          if #nodata > 0 then
            said[#said + 1] = ("%s answer%s with no %s record (the name exists with other types)")
              :format(table.concat(nodata, ", "), #nodata == 1 and "s" or "", r.type)
          end
          local value = r.value or ""
          if r.type == "CNAME" then value = dnsvet.name.normalize(value) end
          local rel = dnsvet.name.relative(name, zone.name)
          local fix = nil
          if r.type == "MX" then
            local pref, host = value:match("^%s*(%d+)%s+(%S+)")
            fix = ("At the DNS host of %s (%s), add an MX record with name `%s`, priority %s and mail server `%s`.")
              :format(zone.name, table.concat(servers, ", "), rel, pref or "10",
                      dnsvet.name.normalize(host or value))
          elseif r.comparable == false then
            fix = ("At the DNS host of %s (%s), add a %s record with name `%s` holding %s.")
              :format(zone.name, table.concat(servers, ", "), r.type, rel,
                      r.role == "byodkim" and "your public key (`v=DKIM1; k=rsa; p=...`)" or "the value you gave SES")
          end
          ctx:report{
            subject = {name = name, type = r.type},
            severity = (r.required == false) and "warning" or nil,
            message = ("%s %s is not published in %s: %s. No near miss was found either "
              .. "(zone appended twice, underscore dropped, another DNS host, another type)."):format(
              name, r.type, zone.name, table.concat(said, "; ")),
            fix = fix,
            vars = {zone = zone.name, servers = table.concat(servers, ", "), a_type = a(r.type),
                    relative = rel, value = value},
            evidence = evidence,
          }
        end
      end
    end
  end,
}
