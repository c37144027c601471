-- dmarc.missing: no DMARC record applies to the identity.

local dmarc = dnsvet.lib("dmarc")
local identity_of, walk, txt_at, is_dmarc, meant_as_dmarc =
  dmarc.identity_of, dmarc.walk, dmarc.txt_at, dmarc.is_record, dmarc.meant_as

return {
  id = "dmarc.missing",
  title = "No DMARC record",
  severity = "warning",
  tags = {"dmarc"},
  summary = "Neither the domain nor its organizational domain publishes a DMARC record.",
  fix = "In {zone}, add a TXT record with name `{relative}` and value `{value}`; add "
     .. "`rua=mailto:ADDRESS` to receive aggregate reports, and move to `p=quarantine` or `p=reject` "
     .. "once they show that all your mail passes.",
  references = {
    "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html",
    "https://www.rfc-editor.org/rfc/rfc7489",
    "https://www.rfc-editor.org/rfc/rfc9989",
  },
  order = 72,
  doc = [[
Looks for the DMARC record that applies to the identity the way receivers
do: a TXT record starting with `v=DMARC1` at `_dmarc.DOMAIN`, or, when there
is none, at `_dmarc` of each parent down to two labels (the DNS tree walk of
RFC 9989; for `shop.example.com` the organizational domain
`_dmarc.example.com`). A CNAME at `_dmarc` is followed.

Why: SES verification does not need DMARC, and SES mail is delivered without
it. But without a DMARC record receivers apply no policy to mail that fakes
the domain, no aggregate reports show who sends as it, and large mailbox
providers require a DMARC record from bulk senders. SES recommends one.

Outcomes:
- warning: no name on the walk has a DMARC record; the message names each
  name asked and the answer;
- nothing when a record applies (even a broken one: dmarc.invalid explains
  it), when the identity does not want DMARC checked (`expect.dmarc` false),
  or when a name on the walk is unknown: its zone could not be asked (not
  delegated, say) or none of its servers answered.

Fix: add `v=DMARC1; p=none; rua=mailto:ADDRESS` at `_dmarc.DOMAIN` (or at
the organizational domain, to cover all its subdomains), read the reports,
then tighten the policy.]],

  probes = function(expect)
    local domain = identity_of(expect)
    local list = {}
    for _, n in ipairs(domain and walk(domain) or {}) do list[#list + 1] = {name = n, type = "TXT"} end
    return list
  end,

  check = function(ctx)
    local domain = dnsvet.name.normalize(ctx.domain or "")
    if domain == "" or ctx.expect.dmarc == false then return end
    local said, evidence, first = {}, {}, nil
    for _, name in ipairs(walk(domain)) do
      local texts, rep = txt_at(ctx, name)
      if not texts then return end
      local others = {}
      for _, t in ipairs(texts) do
        if is_dmarc(t.text) or meant_as_dmarc(t.text) then return end
        others[#others + 1] = "`" .. t.text .. "`"
      end
      first = first or {name = name, rep = rep}
      local what = rep.rcode == "NXDOMAIN" and "NXDOMAIN"
        or (#others > 0 and ("only other TXT records (%s)"):format(table.concat(others, ", ")) or "no TXT record")
      said[#said + 1] = ("%s: %s on %s"):format(name, what, rep.server or rep.addr or "?")
      local answer = {}
      for _, t in ipairs(texts) do answer[#answer + 1] = t.rr.raw end
      evidence[#evidence + 1] = {server = rep.server, addr = rep.addr, name = name, type = "TXT",
                                 rcode = rep.rcode, answer = answer}
    end
    if not first then return end

    local value = "v=DMARC1; p=none;"
    for _, r in ipairs(ctx.expect.records or {}) do
      if r.role == "dmarc" and r.value then value = r.value end
    end
    local zone = ctx:zone_of(first.name)
    local zname = zone and zone.name or dnsvet.name.parent(first.name)
    ctx:report{
      subject = {name = first.name, type = "TXT"},
      message = ("No DMARC record applies to %s (%s). Receivers apply no policy to mail that fakes %s, and "
        .. "no reports show who sends as it."):format(domain, table.concat(said, "; "), domain),
      vars = {zone = zname, relative = dnsvet.name.relative(first.name, zname), value = value},
      evidence = evidence,
    }
  end,
}
