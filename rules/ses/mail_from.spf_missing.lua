-- ses.mail_from.spf_missing: the MAIL FROM domain publishes no SPF record.
return {
  id = "ses.mail_from.spf_missing",
  title = "No SPF record on the MAIL FROM domain",
  severity = "error",
  tags = {"ses", "mail-from", "spf"},
  summary = "Receivers check SPF against the MAIL FROM domain; without an SPF record there, SES mail fails SPF.",
  fix = "Add a TXT record with name `{relative}` and value `v=spf1 include:amazonses.com ~all`.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
                "https://www.rfc-editor.org/rfc/rfc7208#section-4.5"},
  order = 45,
  doc = [[
Looks for a TXT record starting with `v=spf1` at the custom MAIL FROM domain on its
authoritative servers.

Why: with a custom MAIL FROM domain, receivers evaluate SPF against that subdomain, not the
identity. Without an SPF record there SPF yields "none", DMARC cannot align through SPF, and
strict receivers treat the mail as suspicious. SES itself only verifies the MX, so the
identity can look fine while every message fails SPF.

Outcomes:
- error: the MAIL FROM name has no TXT record, or only TXT records that are not SPF;
- nothing when an SPF record exists (spf.syntax, spf.no_amazonses and spf.multiple judge
  it), when no custom MAIL FROM domain is configured, when a near-miss rule already found
  the record at another name, or when the zone could not be asked or none of its servers
  answered (delegation.*, engine.unreachable): then whether the record exists is unknown.

Fix: publish `v=spf1 include:amazonses.com ~all` at the MAIL FROM name (the identity's apex
SPF does not cover it).
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    local mf = expect.mail_from or (ctx.ses and ctx.ses.mail_from_domain)
    if not mf then return end
    mf = dnsvet.name.normalize(mf)

    -- absent only when the zone's own servers say so; otherwise unknown (delegation.*,
    -- engine.unreachable)
    local replies, zone = dnsvet.authoritative(ctx, mf, "TXT")
    if not replies then return end
    local used, spf, others = replies[1], false, {}
    for _, rr in ipairs(used.answer or {}) do
      if rr.name == mf and rr.type == "TXT" then
        local text = (rr.text or ""):lower()
        if text == "v=spf1" or text:sub(1, 7) == "v=spf1 " then spf = true
        elseif (rr.text or "") == "" then others[#others + 1] = "an empty string"
        else others[#others + 1] = "`" .. rr.text .. "`" end
      end
    end
    if spf then return end

    local ok, already = pcall(function() return ctx:findings(mf, "TXT") end)
    if ok and type(already) == "table" and #already > 0 then return end

    local what
    if used.rcode == "NXDOMAIN" then what = "the name does not exist"
    elseif #others > 0 then what = "its TXT records are not SPF: " .. table.concat(others, ", ")
    else what = "it has no TXT record" end
    ctx:report{
      subject = {name = mf, type = "TXT"},
      message = ("The MAIL FROM domain %s has no SPF record (%s, says %s); receivers check SPF there, so mail sent through SES fails SPF.")
        :format(mf, what, used.server or used.addr or "its server"),
      vars = {relative = dnsvet.name.relative(mf, zone.name) or mf},
      evidence = {{server = used.server, addr = used.addr, name = mf, type = "TXT", rcode = used.rcode}},
    }
  end,
}
