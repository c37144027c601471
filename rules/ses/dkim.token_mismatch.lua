-- ses.dkim.token_mismatch: the DKIM names exist but carry other tokens.
return {
  id = "ses.dkim.token_mismatch",
  title = "DKIM records point to other tokens",
  severity = "error",
  tags = {"ses", "dkim", "record"},
  summary = "A DKIM CNAME exists but points to another SES token: values swapped between the three names, or left from an earlier identity.",
  fix = "Edit the CNAME `{relative}` so that its value is `{expected}` (now `{found}`). Each of the three names must point to the token in its own name.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html",
                "https://repost.aws/knowledge-center/ses-verify-domain-pending-unverified"},
  order = 40,
  doc = [[
For each Easy DKIM record `TOKEN._domainkey.DOMAIN`, reads the CNAME target the authoritative
servers serve. When the target is a name in an SES DKIM signing zone
(`*.dkim.amazonses.com` or a regional variant) whose first label is not the token of the
record's own name, the value belongs to another record.

Why: SES checks each name against its own token. Two frequent slips produce valid-looking
records that never verify: pasting the three values in a different order than the names, and
keeping the records of an identity that was deleted and created again (which generates new
tokens), or of the same domain in another region or account.

Outcomes:
- error, "swapped": the target carries one of the identity's other current tokens;
- error, "old token": the target carries a token SES did not give for this identity (an
  earlier identity, another region or account);
- nothing when the target is right, or is not an SES DKIM name at all (record.wrong_value
  and the near-miss rules explain that).

Fix: set each name's value to `TOKEN.dkim.amazonses.com` with the same TOKEN as in the name.
To verify the domain in several regions or accounts, keep both identities' records side by
side; they have different names.
]],

  check = function(ctx)
    local expect = ctx.expect or {}

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    for _, r in ipairs(expect.records or {}) do
      if r.role == "dkim" and r.type == "CNAME" and r.value then
        local name = dnsvet.name.normalize(r.name)
        -- the first CNAME at the name served by a server of the zone's NS sets that answered
        -- (found among the authoritative replies without opening those that hold none)
        local found
        for _, o in ipairs(ctx:rrs("auth", name, "CNAME", "CNAME")) do
          if in_zone(o.reply) and not o.reply.error then
            found = o.rr
            break
          end
        end

        if found then
          local want_token = dnsvet.name.normalize(r.value):match("^([^.]+)")
          local target = dnsvet.name.normalize(found.target)
          local token, zone = target:match("^([^.]+)%.(.+)$")
          local ses_zone = zone and (zone == dnsvet.name.normalize(expect.signing_zone or "dkim.amazonses.com")
            or zone:match("^dkim%.[%w%-]*%.?amazonses%.com$"))
          if ses_zone and token ~= want_token then
            -- the identity's current tokens tell values swapped between names from old ones
            local current = {}
            for _, t in ipairs(expect.dkim_tokens or {}) do current[string.lower(t)] = t end
            local message
            if current[token] then
              local owner = current[token] .. "._domainkey"
              message = ("%s points to %s, the token of %s: the values of the DKIM records are swapped between names. SES expects %s.")
                :format(name, found.target, owner, r.value)
            else
              message = ("%s points to %s, a token SES did not give for this identity (left from an earlier identity of %s, deleted and created again, or from another region or account). SES expects %s.")
                :format(name, found.target, ctx.domain or "the domain", r.value)
            end
            local z = ctx:zone_of(name)
            ctx:report{
              subject = {name = name, type = "CNAME"},
              message = message,
              vars = {relative = z and dnsvet.name.relative(name, z.name) or name,
                      expected = r.value, found = found.target},
              evidence = {{name = name, type = "CNAME", answer = {found.raw or found.data}}},
            }
          end
        end
      end
    end
  end,
}
