-- ses.mail_from.invalid_domain: the MAIL FROM domain breaks SES's conditions on it.
return {
  id = "ses.mail_from.invalid_domain",
  title = "MAIL FROM domain not usable",
  severity = "error",
  tags = {"ses", "mail-from"},
  summary = "A custom MAIL FROM domain must be a subdomain of the identity and must not receive mail.",
  fix = "In SES, set the custom MAIL FROM domain of {identity} to an unused subdomain such as `{suggest}`, then publish its MX (`10 feedback-smtp.{region}.amazonses.com`) and SPF records.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
                "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutEmailIdentityMailFromAttributes.html"},
  order = 40,
  doc = [[
Checks the custom MAIL FROM domain against SES's conditions: it must be a subdomain of the
verified identity, and it must not be used to receive email.

Why: SES refuses a MAIL FROM domain outside the identity, and the MAIL FROM MX must point to
SES's feedback endpoint. A name that already receives mail (the apex, or a subdomain with its
own mail servers) cannot have that MX without breaking its mail, so the setup fails or mail
to it is lost.

Outcomes:
- error: the MAIL FROM domain is the identity itself or outside it;
- error: its MX records point only to mail servers that are not SES (it receives mail);
- nothing for a proper subdomain whose MX records, if any, point to SES.

Fix: choose a dedicated subdomain (for example `mail.` or `bounce.` under the identity) that
nothing else uses, and publish only SES's records there.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    local mf = expect.mail_from or (ctx.ses and ctx.ses.mail_from_domain)
    local identity = dnsvet.name.normalize(ctx.domain or "")
    if not mf or identity == "" then return end
    mf = dnsvet.name.normalize(mf)
    local vars = {identity = identity, suggest = "bounce." .. identity, region = expect.region or "REGION"}

    if mf == identity or not dnsvet.name.is_sub(mf, identity) then
      ctx:report{
        subject = {name = mf, type = "MX"},
        message = mf == identity
          and ("The MAIL FROM domain is the identity %s itself; SES requires a subdomain of it."):format(identity)
          or ("The MAIL FROM domain %s is not a subdomain of the identity %s; SES requires one under %s."):format(mf, identity, identity),
        vars = vars,
      }
      return
    end

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    local entry = ctx:answers(mf, "MX")
    local foreign, seen, to_ses = {}, {}, false
    for _, reply in ipairs((entry and entry.auth) or {}) do
      if in_zone(reply) and not reply.error then
        for _, rr in ipairs(reply.answer or {}) do
          local host = dnsvet.name.normalize(rr.exchange or "")
          if rr.name == mf and rr.type == "MX" and host:find("amazonses", 1, true) then to_ses = true end
          if rr.name == mf and rr.type == "MX" and not seen[host]
              and not host:find("amazonses", 1, true) then
            seen[host] = true
            foreign[#foreign + 1] = ("%d %s"):format(rr.preference or 0, rr.exchange or "?")
          end
        end
      end
    end
    -- SES's MX beside others is ses.mail_from.mx_missing's "more than one"
    if #foreign > 0 and not to_ses then
      ctx:report{
        subject = {name = mf, type = "MX"},
        message = ("The MAIL FROM domain %s receives mail: its MX record%s %s point%s to mail servers, not to SES's feedback endpoint. SES requires a MAIL FROM domain that is not used to receive email.")
          :format(mf, #foreign == 1 and "" or "s", table.concat(foreign, ", "), #foreign == 1 and "s" or ""),
        fix = ("Either set the MAIL FROM domain of %s in SES to an unused subdomain such as `%s` and publish its MX and SPF there, or, if nothing needs to receive mail at %s, replace its MX records with the single record `10 feedback-smtp.%s.amazonses.com`.")
          :format(identity, vars.suggest, mf, vars.region),
        evidence = {{name = mf, type = "MX", answer = foreign}},
      }
    end
  end,
}
