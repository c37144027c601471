-- dmarc.alignment: a quarantine/reject policy while SES mail cannot pass DMARC through SPF.

local dmarc = dnsvet.lib("dmarc")
local identity_of, walk, txt_at, is_dmarc =
  dmarc.identity_of, dmarc.walk, dmarc.txt_at, dmarc.is_record

-- The value of `tag` in a DMARC record (lowercase), or nil.
local function tag(text, name)
  for part in (text .. ";"):gmatch("([^;]*);") do
    local k, v = part:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
    if k and k:lower() == name then return v:lower() end
  end
  return nil
end

-- The policy that applies to `domain`: the first name on the walk with DMARC
-- records, if it has exactly one. Returns the name, the record and its reply.
local function policy_of(ctx, domain)
  for _, name in ipairs(walk(domain)) do
    local texts, rep = txt_at(ctx, name)
    if not texts then return nil end
    local found = {}
    for _, t in ipairs(texts) do
      if is_dmarc(t.text) then found[#found + 1] = t end
    end
    if #found == 1 then return name, found[1], rep end
    if #found > 1 then return nil end      -- receivers apply none: dmarc.invalid
  end
  return nil
end

return {
  id = "dmarc.alignment",
  title = "DMARC enforcement without SPF alignment",
  severity = "warning",
  tags = {"dmarc", "spf", "mail_from", "ses"},
  summary = "DMARC asks receivers to quarantine or reject failing mail, but SES mail cannot pass DMARC through SPF, only through DKIM.",
  fix = "{remedy}",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html",
    "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
    "https://www.rfc-editor.org/rfc/rfc7489#section-3.1",
  },
  order = 74,
  doc = [[
Reads the DMARC policy that applies to the identity (`p`, or `sp` when the
record was found at a parent) and, when it is `quarantine` or `reject`,
checks that mail sent through SES can align on SPF:
- without a custom MAIL FROM domain, SES sends with an envelope sender under
  `amazonses.com`: SPF passes for amazonses.com and never aligns with the
  domain;
- with `aspf=s` (strict), the envelope sender must be the From domain
  itself, and a MAIL FROM subdomain such as `mail.DOMAIN` does not align;
  relaxed alignment (the default) accepts it.

Why: DMARC passes when SPF or DKIM passes and aligns with the From domain.
SES signs with the domain's DKIM key, so mail still passes on DKIM alone.
But with an enforcing policy every message whose signature breaks on the way
(a relay or a list that edits it) is quarantined or rejected, with no SPF
alignment to fall back on.

Outcomes:
- warning: an enforcing policy and no possible SPF alignment; the message
  says which of the two cases applies;
- nothing for `p=none`, when no single valid DMARC record applies
  (dmarc.missing, dmarc.invalid), or when the MAIL FROM domain aligns.

Fix: set a custom MAIL FROM domain (a subdomain such as `mail.DOMAIN`, with
its MX and SPF records) for the identity; with `aspf=s`, change it to
`aspf=r` or remove it.]],

  probes = function(expect)
    local domain = identity_of(expect)
    local list = {}
    for _, n in ipairs(domain and walk(domain) or {}) do list[#list + 1] = {name = n, type = "TXT"} end
    return list
  end,

  check = function(ctx)
    local domain = dnsvet.name.normalize(ctx.domain or "")
    if domain == "" then return end
    local name, rec, rep = policy_of(ctx, domain)
    if not name then return end
    local own = name == "_dmarc." .. domain
    local policy = tag(rec.text, "p")
    local used = "p"
    if not own and tag(rec.text, "sp") then policy, used = tag(rec.text, "sp"), "sp" end
    if policy ~= "quarantine" and policy ~= "reject" then return end

    local mail_from = ctx.expect.mail_from or (ctx.ses and ctx.ses.mail_from_domain)
    mail_from = mail_from and dnsvet.name.normalize(mail_from) or nil
    local strict = tag(rec.text, "aspf") == "s"
    local why, remedy
    local zone = ctx:zone_of(name)
    local zname = zone and zone.name or dnsvet.name.parent(name)
    if not mail_from or mail_from == "" then
      why = ("no custom MAIL FROM domain is set, so SES sends with an envelope sender under amazonses.com, "
        .. "which never aligns with %s"):format(domain)
      remedy = ("In SES, set a custom MAIL FROM domain for %s (for example `mail.%s`), then publish its MX "
        .. "`10 feedback-smtp.%s.amazonses.com` and TXT `v=spf1 include:amazonses.com ~all` at that name.")
        :format(domain, domain, ctx.expect.region or "REGION")
    elseif strict and mail_from ~= domain then
      why = ("the record sets `aspf=s` (strict), and the MAIL FROM domain %s is not %s itself, so SPF "
        .. "cannot align"):format(mail_from, domain)
      remedy = ("In %s, edit the TXT record `%s`: change `aspf=s` to `aspf=r` (or remove it; relaxed is the "
        .. "default). Relaxed alignment accepts the MAIL FROM subdomain %s."):format(
        zname, dnsvet.name.relative(name, zname), mail_from)
    else
      return
    end
    ctx:report{
      subject = {name = name, type = "TXT"},
      message = ("The DMARC record at %s (on %s) asks receivers to %s mail from %s that fails DMARC (%s=%s), "
        .. "but %s: every message SES sends passes DMARC on its DKIM signature alone, and is %s when "
        .. "that signature breaks on the way."):format(
        name, rep.server or rep.addr or "?", policy, domain, used, policy, why,
        policy == "reject" and "rejected" or "quarantined"),
      vars = {remedy = remedy},
      evidence = {{server = rep.server, addr = rep.addr, name = name, type = "TXT", rcode = rep.rcode,
                   answer = {rec.rr.raw}}},
    }
  end,
}
