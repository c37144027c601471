-- ses.mail_from.mx_missing: the custom MAIL FROM domain needs exactly one MX, to SES.
return {
  id = "ses.mail_from.mx_missing",
  title = "MAIL FROM domain without its single MX record",
  severity = "error",
  tags = {"ses", "mail-from", "mx"},
  summary = "SES sets up a custom MAIL FROM domain only when it has one MX record pointing to SES's feedback endpoint.",
  fix = "Add an MX record with name `{relative}`, priority 10 and value `{exchange}`.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"},
  order = 60,
  doc = [[
Checks the MX records of the custom MAIL FROM domain on its authoritative servers.

Why: SES uses the MAIL FROM domain as the bounce address and verifies it by finding an MX
record that points to `feedback-smtp.REGION.amazonses.com`, where bounces and complaints
return. Without it the MAIL FROM status is FAILED, and SES either falls back to its own
amazonses.com MAIL FROM (behaviour USE_DEFAULT_VALUE: mail goes out but SPF no longer aligns
with the domain for DMARC) or refuses to send (REJECT_MESSAGE). Other MX records beside it
send bounces to servers that are not SES.

Outcomes:
- error: the name does not exist or has no MX record;
- error: there is more than one MX record, one of them SES's (without any SES MX the name
  receives mail elsewhere: ses.mail_from.invalid_domain);
- nothing when exactly one MX exists (ses.mail_from.mx_wrong_region and
  ses.mail_from.invalid_domain check where it points), when the name is a CNAME
  (record.cname_conflict), when a near-miss rule already found the record elsewhere, or
  when the zone could not be asked or none of its servers answered (delegation.*,
  engine.unreachable): then whether the MX exists is unknown.

Fix: publish exactly `10 feedback-smtp.REGION.amazonses.com` at the MAIL FROM name, with the
identity's region.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    local mf = expect.mail_from or (ctx.ses and ctx.ses.mail_from_domain)
    if not mf then return end
    mf = dnsvet.name.normalize(mf)

    local region = expect.region or "REGION"
    local exchange = ("feedback-smtp.%s.amazonses.com"):format(region)
    for _, r in ipairs(expect.records or {}) do
      if r.role == "mail_from_mx" and r.value then
        exchange = r.value:match("^%s*%d+%s+(%S+)") or r.value
        exchange = dnsvet.name.normalize(exchange)
      end
    end

    -- an NXDOMAIN from the parent of a zone that is not delegated, or no answer at all,
    -- says nothing about the MX: delegation.* and engine.unreachable explain those
    local replies, zone = dnsvet.authoritative(ctx, mf, "MX")
    if not replies then return end
    local reply_used, mx, cname = replies[1], {}, nil
    for _, rr in ipairs(reply_used.answer or {}) do
      if rr.name == mf and rr.type == "MX" then mx[#mx + 1] = rr end
      if rr.name == mf and rr.type == "CNAME" then cname = rr end
    end
    if cname then return end

    local relative = dnsvet.name.relative(mf, zone.name) or mf
    local fallback = "SES falls back to its own MAIL FROM domain (SPF stops aligning for DMARC)"
    if ctx.ses and ctx.ses.behavior_on_mx_failure == "REJECT_MESSAGE" then
      fallback = "SES rejects every message sent from the identity (behaviour on MX failure: REJECT_MESSAGE)"
    end

    if #mx == 0 then
      local ok, already = pcall(function() return ctx:findings(mf, "MX") end)
      if ok and type(already) == "table" and #already > 0 then return end
      ctx:report{
        subject = {name = mf, type = "MX"},
        message = ("The MAIL FROM domain %s has no MX record (%s: %s); SES needs `10 %s` there, and until then %s.")
          :format(mf, reply_used.server or reply_used.addr or "its server",
                  reply_used.rcode == "NXDOMAIN" and "the name does not exist" or "the name has no MX", exchange, fallback),
        vars = {relative = relative, exchange = exchange},
        evidence = {{server = reply_used.server, addr = reply_used.addr, name = mf, type = "MX", rcode = reply_used.rcode}},
      }
    else
      local list, others, ses_mx = {}, {}, 0
      for _, rr in ipairs(mx) do
        local host = dnsvet.name.normalize(rr.exchange or "")
        list[#list + 1] = ("%d %s"):format(rr.preference or 0, rr.exchange or "?")
        if host ~= exchange then others[#others + 1] = rr.exchange or "?" end
        if host:find("amazonses", 1, true) then ses_mx = ses_mx + 1 end
      end
      -- without any SES MX the name is someone's mail domain: ses.mail_from.invalid_domain
      if #mx == 1 or ses_mx == 0 then return end
      local fix = ("Keep one MX record at `%s`: `10 %s`; delete the others (%s)."):format(relative, exchange,
        #others > 0 and table.concat(others, ", ") or "the duplicates")
      ctx:report{
        subject = {name = mf, type = "MX"},
        message = ("The MAIL FROM domain %s has %d MX records (%s); SES expects exactly one, `10 %s`: with the others, some bounces and complaints reach servers that are not SES.")
          :format(mf, #mx, table.concat(list, ", "), exchange),
        fix = fix,
        evidence = {{server = reply_used.server, addr = reply_used.addr, name = mf, type = "MX", answer = list}},
      }
    end
  end,
}
