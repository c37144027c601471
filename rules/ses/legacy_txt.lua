-- ses.legacy_txt: the _amazonses TXT token of an identity created with the v1 API.
return {
  id = "ses.legacy_txt",
  title = "Legacy _amazonses verification TXT missing or different",
  severity = "error",
  tags = {"ses", "legacy", "record"},
  summary = "An identity created with the SES v1 API is verified by a TXT record at `_amazonses.DOMAIN` holding its token.",
  fix = "Add a TXT record with name `{relative}` and value `{token}` (exactly, with any trailing `=`){keep}.",
  references = {"https://docs.aws.amazon.com/ses/latest/APIReference/API_VerifyDomainIdentity.html",
                "https://repost.aws/knowledge-center/ses-verify-domain-pending-unverified"},
  order = 60,
  doc = [[
When a legacy verification token is given (the `VerificationToken` of the SES v1
`VerifyDomainIdentity` call), checks the TXT records at `_amazonses.DOMAIN` on the
authoritative servers.

Why: identities created with the v1 API are verified by finding that exact token at
`_amazonses.DOMAIN`. The token is case-sensitive base64, often ending in `=`; SES compares it
byte for byte.

Outcomes:
- error, missing: the name does not exist, or has no TXT record;
- error, different: TXT records exist there but none holds the token (an old token, the token
  of another region, a typo);
- nothing when one of the TXT records holds the token (several records side by side are fine:
  one per region the domain is verified in), when a more specific rule (extra or missing
  characters, double suffix, dropped underscore) already explains this name, or when the
  zone could not be asked or none of its own servers answered (delegation.*,
  engine.unreachable): then whether the token is there is unknown.

Fix: publish the token exactly. Keep the tokens of other regions that are still in use.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    local token = expect.legacy_token
    local name
    for _, r in ipairs(expect.records or {}) do
      if r.role == "legacy" and r.type == "TXT" then
        name = dnsvet.name.normalize(r.name)
        token = token or r.value
      end
    end
    if not token then return end
    name = name or ("_amazonses." .. dnsvet.name.normalize(ctx.domain or ""))

    local ok, already = pcall(function() return ctx:findings(name, "TXT") end)
    if ok and type(already) == "table" and #already > 0 then return end

    -- only the zone's own servers can say the token is absent; an NXDOMAIN from the parent
    -- of a zone that is not delegated, or silence, leaves it unknown (delegation.*,
    -- engine.unreachable)
    local replies, zone = dnsvet.authoritative(ctx, name, "TXT")
    if not replies then return end

    local nxdomain, present, values = false, false, {}
    for _, reply in ipairs(replies) do
      if reply.rcode == "NXDOMAIN" then nxdomain = true end
      for _, rr in ipairs(reply.answer or {}) do
        if rr.name == name and rr.type == "TXT" then
          if rr.text == token then present = true
          else values[rr.text] = true end
        end
      end
    end
    if present then return end

    local found = {}
    for v in pairs(values) do found[#found + 1] = "`" .. v .. "`" end
    table.sort(found)
    local message
    if #found == 0 then
      message = ("%s has no TXT record%s; SES looks there for the verification token `%s`.")
        :format(name, nxdomain and " (the name does not exist)" or "", token)
    else
      message = ("The TXT record%s at %s hold%s %s, not the verification token `%s` SES expects.")
        :format(#found == 1 and "" or "s", name, #found == 1 and "s" or "", table.concat(found, ", "), token)
    end
    ctx:report{
      subject = {name = name, type = "TXT"},
      message = message,
      vars = {relative = dnsvet.name.relative(name, zone.name) or name, token = token,
              keep = #found > 0 and "; remove the old value unless another region's identity still uses it" or ""},
      evidence = {{name = name, type = "TXT", answer = found}},
    }
  end,
}
