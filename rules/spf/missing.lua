-- spf.missing: no SPF record on a name that needs one.

local spf = dnsvet.lib("spf")
local spf_names, is_spf, txt_at, severity_for, meant_as_spf =
  spf.names, spf.is_record, spf.txt_at, spf.severity_for, spf.meant_as

return {
  id = "spf.missing",
  title = "No SPF record",
  severity = "error",
  tags = {"spf", "mail_from"},
  summary = "A name that needs an SPF record has none: the MAIL FROM domain (error) or the domain itself (notice).",
  fix = "In {zone}, add a TXT record with name `{relative}` and value `{value}`.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html",
    "https://www.rfc-editor.org/rfc/rfc7208",
  },
  order = 55,                          -- after ses.mail_from.spf_missing (45)
  doc = [[
Looks for an SPF record (a TXT starting with `v=spf1`) on:
- the custom MAIL FROM domain: receivers check SPF against the envelope
  sender, which SES sets to this domain; SES also lists this TXT among the
  MAIL FROM records;
- the identity domain itself: SES mail does not use it (its envelope sender is
  the MAIL FROM domain or amazonses.com), but other mail from the domain does.

Outcomes:
- error (warning when SES lists the record as recommended): the MAIL FROM
  domain has no SPF record, so SES mail sent through it fails SPF and cannot
  pass DMARC through SPF;
- notice: the identity domain has no SPF record;
- nothing when an SPF record is there (even a broken one: spf.syntax and
  spf.multiple report those), when the zone could not be asked or none of its
  servers answered (then whether it exists is unknown: delegation.* and
  engine.unreachable say why), or when another rule
  already explained the TXT at that name (ses.mail_from.spf_missing reports the
  MAIL FROM case first when it is present, so the user sees it once).

Fix: add the TXT record `v=spf1 include:amazonses.com ~all` (on the identity
domain, also list the other services that send its mail, in one record).]],

  check = function(ctx)
    for _, n in ipairs(spf_names(ctx)) do
      local texts, rep = txt_at(ctx, n.name)
      local present = false
      for _, t in ipairs(texts or {}) do
        if meant_as_spf(t.text) then present = true end
      end
      -- ses.mail_from.spf_missing, or a rule that found the record elsewhere (another
      -- DNS host, the zone appended twice), already told the user about this TXT
      local ok, earlier = pcall(function() return ctx:findings(n.name, "TXT") end)
      local said = ok and type(earlier) == "table" and #earlier > 0
      if texts and not present and not said then
        local zone = ctx:zone_of(n.name)
        local zname = zone and zone.name or dnsvet.name.parent(n.name)
        local value = n.record and n.record.value or "v=spf1 include:amazonses.com ~all"
        local others = {}
        for _, t in ipairs(texts) do others[#others + 1] = "`" .. t.text .. "`" end
        local held = #others > 0 and (" (it holds only " .. table.concat(others, ", ") .. ")") or ""
        local msg, severity, fix
        if n.kind == "mail_from" then
          msg = ("%s, the MAIL FROM domain, has no SPF record on %s%s: receivers check SPF against this "
            .. "domain for every message SES sends, so SPF fails."):format(n.name, rep.server or rep.addr or "?", held)
          severity = (n.record and n.record.required == false) and "warning" or "error"
        else
          msg = ("%s has no SPF record on %s%s. SES mail does not depend on it, but mail sent as %s "
            .. "from other servers cannot pass SPF, and the domain is easier to spoof."):format(
            n.name, rep.server or rep.addr or "?", held, n.name)
          severity = "notice"
          fix = ("In %s, add a TXT record with name `%s` and value `%s`, with an `include:` for every other "
            .. "service that sends mail as %s, all in this one record."):format(
            zname, dnsvet.name.relative(n.name, zname), value, n.name)
        end
        ctx:report{
          subject = {name = n.name, type = "TXT"},
          severity = severity,
          message = msg,
          fix = fix,
          vars = {zone = zname, relative = dnsvet.name.relative(n.name, zname), value = value},
          evidence = {{server = rep.server, addr = rep.addr, name = n.name, type = "TXT", rcode = rep.rcode,
                       answer = (function() local a = {} for _, t in ipairs(texts) do a[#a + 1] = t.rr.raw end return a end)()}},
        }
      end
    end
  end,
}
