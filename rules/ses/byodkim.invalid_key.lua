-- ses.byodkim.invalid_key: the BYODKIM public key record is not a usable DKIM key.
return {
  id = "ses.byodkim.invalid_key",
  title = "BYODKIM key record unusable",
  severity = "error",
  tags = {"ses", "dkim", "byodkim", "record"},
  summary = "The TXT record at the BYODKIM selector does not hold a usable RSA public key.",
  fix = "Replace the TXT record `{relative}` with one record whose value is `v=DKIM1; k=rsa; p=` followed by the base64 public key (the key of the 1024 or 2048-bit pair given to SES, without the PEM header lines or line breaks). If the provider limits a value to 255 characters, enter it as several quoted strings in the same record, not as separate records.",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html",
                "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1",
                "https://www.rfc-editor.org/rfc/rfc8301"},
  order = 40,
  doc = [[
For an identity that signs with its own key (BYODKIM, signing origin EXTERNAL), reads the TXT
record at `SELECTOR._domainkey.DOMAIN` on the authoritative servers and parses it as a DKIM
key record (RFC 6376 section 3.6.1): tags `v`, `k`, `p`, the base64 key, and the RSA modulus
inside it.

Why: SES verifies a BYODKIM identity by finding a public key at the selector that matches the
private key it was given, and receivers verify every signature with it. SES accepts RSA keys
of 1024 or 2048 bits; RFC 8301 forbids keys under 1024 bits. A key pasted with its PEM lines,
broken by quotes, or split over several TXT records is unusable.

Outcomes (error):
- the record is split into several TXT records (each a fragment) instead of one record with
  several strings, or there are several key records at the selector;
- quote characters are part of the value (strings joined wrongly in the provider's form);
- `v=` is present but is not `DKIM1` or not the first tag; `k=` names another algorithm
  than `rsa`;
- no `p=` tag, or an empty one (a revoked key);
- `p=` is not valid base64 (a PEM header, a lost or extra character);
- the key is not an RSA public key, is under 1024 bits, or is neither 1024 nor 2048 bits;
- nothing when the record is a well-formed RSA key of 1024 or 2048 bits, or is absent
  (record.missing reports that).

Fix: publish one TXT record `v=DKIM1; k=rsa; p=BASE64KEY` with the public key of the pair
given to SES.
]],

  check = function(ctx)
    local expect = ctx.expect or {}
    if expect.signing_origin ~= "EXTERNAL" then return end

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    -- one DER element: tag, first and last content byte
    local function der(b, pos)
      local tag, len = b:byte(pos), b:byte(pos + 1)
      if not tag or not len then return nil end
      local start = pos + 2
      if len >= 0x80 then
        local n = len - 0x80
        if n < 1 or n > 3 then return nil end
        len = 0
        for _ = 1, n do
          local x = b:byte(start)
          if not x then return nil end
          len = len * 256 + x
          start = start + 1
        end
      end
      if start + len - 1 > #b then return nil end
      return tag, start, start + len - 1
    end

    -- the RSA modulus size in bits, from SubjectPublicKeyInfo (or a bare RSAPublicKey)
    local function rsa_bits(b)
      local t, s = der(b, 1)
      if t ~= 0x30 then return nil, "not a DER public key" end
      local t2, s2, e2 = der(b, s)
      if t2 == 0x30 then
        local alg = b:sub(s2, e2)
        if not alg:find("\42\134\72\134\247\13\1\1\1", 1, true) then
          return nil, "a public key of another algorithm than RSA"
        end
        local t3, s3 = der(b, e2 + 1)
        if t3 ~= 0x03 then return nil, "a public key without its key bits" end
        local t4, s4 = der(b, s3 + 1)
        if t4 ~= 0x30 then return nil, "a malformed RSA public key" end
        t2, s2, e2 = der(b, s4)
      end
      if t2 ~= 0x02 then return nil, "a malformed RSA public key" end
      while s2 < e2 and b:byte(s2) == 0 do s2 = s2 + 1 end
      local first, bits = b:byte(s2), 0
      while first > 0 do
        bits = bits + 1
        first = first >> 1
      end
      return (e2 - s2) * 8 + bits
    end

    local function problem_of(text)
      if text:find('"', 1, true) then
        return "quote characters are part of the value: the strings were joined wrongly when entered"
      end
      local tags, order = {}, {}
      for part in (text .. ";"):gmatch("([^;]*);") do
        local k, v = part:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
        if k then
          tags[k] = v
          order[#order + 1] = k
        elseif part:match("%S") then
          return ("`%s` is not a tag=value pair"):format(part)
        end
      end
      if tags.v and (tags.v ~= "DKIM1" or order[1] ~= "v") then
        return ("`v=%s` must be `v=DKIM1` and the first tag"):format(tags.v)
      end
      if tags.k and tags.k ~= "rsa" then
        return ("`k=%s`: SES signs BYODKIM mail with RSA keys only"):format(tags.k)
      end
      if not tags.p then return "there is no `p=` tag (the public key)" end
      local p = tags.p:gsub("%s", "")
      if p == "" then return "`p=` is empty, which marks the key as revoked" end
      if p:find("-----", 1, true) or p:find("BEGIN", 1, true) then
        return "`p=` holds the PEM header or footer lines; only the base64 between them belongs there"
      end
      local bytes = dnsvet.base64.decode(p)
      if not bytes or p:find("[^%w%+/=]") then
        return ("`p=` is not valid base64 (%d characters; a character lost or added when copying)"):format(#p)
      end
      local bits, err = rsa_bits(bytes)
      if not bits then return "`p=` decodes to " .. err end
      if bits < 1024 then
        return ("the RSA key has %d bits; keys under 1024 bits are refused (RFC 8301)"):format(bits)
      end
      if bits ~= 1024 and bits ~= 2048 then
        return ("the RSA key has %d bits; SES uses 1024 or 2048-bit keys, so this is not the pair given to SES"):format(bits)
      end
      return nil
    end

    for _, r in ipairs(expect.records or {}) do
      if r.role == "byodkim" and r.type == "TXT" then
        local name = dnsvet.name.normalize(r.name)
        local entry = ctx:answers(name, "TXT")
        local rrs
        for _, reply in ipairs((entry and entry.auth) or {}) do
          if in_zone(reply) and not reply.error and reply.rcode == "NOERROR" and not rrs then
            local list = {}
            for _, rr in ipairs(reply.answer or {}) do
              if rr.name == name and rr.type == "TXT" then list[#list + 1] = rr end
            end
            if #list > 0 then rrs = list end
          end
        end

        if rrs then
          local problem
          if #rrs > 1 then
            local keys = 0
            for _, rr in ipairs(rrs) do
              if (rr.text or ""):find("p=", 1, true) then keys = keys + 1 end
            end
            if keys < #rrs then
              problem = ("the key is split over %d separate TXT records; it must be one record (its parts as several strings of that record)"):format(#rrs)
            else
              problem = ("there are %d key records at the selector; a verifier cannot tell which to use"):format(#rrs)
            end
          else
            problem = problem_of(rrs[1].text or "")
          end
          if problem then
            local answer = {}
            for _, rr in ipairs(rrs) do answer[#answer + 1] = rr.raw or rr.data end
            local zone = ctx:zone_of(name)
            ctx:report{
              subject = {name = name, type = "TXT"},
              message = ("The BYODKIM key record at %s is unusable: %s.")
                :format(name, problem),
              vars = {relative = zone and dnsvet.name.relative(name, zone.name) or name},
              evidence = {{name = name, type = "TXT", answer = answer}},
            }
          end
        end
      end
    end
  end,
}
