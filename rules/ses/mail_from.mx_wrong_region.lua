-- ses.mail_from.mx_wrong_region: the MAIL FROM MX points to another region's feedback endpoint.
return {
  id = "ses.mail_from.mx_wrong_region",
  title = "MAIL FROM MX points to another region",
  severity = "error",
  tags = {"ses", "mail-from", "mx", "region"},
  summary = "The MX of the MAIL FROM domain names the feedback endpoint of another SES region than the identity's.",
  fix = "Change the MX record `{relative}` to priority 10 and value `{expected}` (now `{found}`). If the domain is verified in several regions, each region needs its own MAIL FROM subdomain.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
                "https://docs.aws.amazon.com/general/latest/gr/ses.html"},
  order = 40,
  doc = [[
Reads the MX records of the custom MAIL FROM domain and compares the region in
`feedback-smtp.REGION.amazonses.com` with the region of the identity.

Why: SES checks that the MAIL FROM MX points to the feedback endpoint of the region the
identity lives in. Records copied from a guide or from an identity in another region (the
`us-east-1` of most examples) look right and never verify; the MAIL FROM status stays
pending or fails.

Outcomes:
- error: an MX names `feedback-smtp.R.amazonses.com` with R other than the identity's region;
- nothing when it names the identity's region, when it is not an SES endpoint at all
  (ses.mail_from.invalid_domain and record.wrong_value cover that), or when the identity's
  region is unknown.

Fix: point the MX to `feedback-smtp.REGION.amazonses.com` of the identity's region. One
MAIL FROM subdomain cannot serve identities of two regions.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    local region = expect.region
    local mf = expect.mail_from or (ctx.ses and ctx.ses.mail_from_domain)
    if not region or not mf then return end
    mf = dnsvet.name.normalize(mf)
    local expected = ("feedback-smtp.%s.amazonses.com"):format(region)

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    local entry = ctx:answers(mf, "MX")
    local seen = {}
    for _, reply in ipairs((entry and entry.auth) or {}) do
      if in_zone(reply) and not reply.error then
        for _, rr in ipairs(reply.answer or {}) do
          local host = dnsvet.name.normalize(rr.exchange or "")
          local other = host:match("^feedback%-smtp%.([%w%-]+)%.amazonses%.com$")
          if rr.name == mf and rr.type == "MX" and other and other ~= region and not seen[host] then
            seen[host] = true
            local zone = ctx:zone_of(mf)
            ctx:report{
              subject = {name = mf, type = "MX"},
              message = ("The MX of the MAIL FROM domain %s points to %s, the feedback endpoint of %s, but the identity %s is in %s: SES expects %s.")
                :format(mf, rr.exchange, other, ctx.domain or "", region, expected),
              vars = {relative = zone and dnsvet.name.relative(mf, zone.name) or mf,
                      expected = expected, found = rr.exchange},
              evidence = {{server = reply.server, addr = reply.addr, name = mf, type = "MX",
                           answer = {rr.raw or rr.data}}},
            }
          end
        end
      end
    end
  end,
}
