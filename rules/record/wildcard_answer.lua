-- record.wildcard_answer: the answer at an expected name comes from a wildcard.

-- A name under the same parent that nobody would create: when it answers the
-- same data as the expected name, both answers come from a wildcard.
local function sibling(name)
  return "dnsvet-wildcard-probe." .. dnsvet.name.parent(name)
end

-- Data owned by `name` (of type `rtype` or a CNAME) in the replies of the
-- zone's own servers, with the RRSIGs seen for it.
local function owned(ctx, name, rtype)
  local rrs, sigs, rep0 = {}, {}, nil
  for _, o in ipairs(ctx:rrs("own", name, rtype)) do
    -- the first reply holding the records; signatures from it or from replies before it
    local reply = o.reply
    if (rep0 == nil or reply == rep0) and reply.rcode == "NOERROR" then
      local rr = o.rr
      if rr.type == rtype or rr.type == "CNAME" then
        rrs[#rrs + 1] = rr
        rep0 = rep0 or reply
      elseif rr.type == "RRSIG" then
        sigs[#sigs + 1] = rr
      end
    end
  end
  return rrs, sigs, rep0
end

local function values(rrs)
  local v = {}
  for _, rr in ipairs(rrs) do v[#v + 1] = rr.type .. " " .. (rr.data or "") end
  table.sort(v)
  return table.concat(v, "\n")
end

-- An RRSIG whose label count is below the owner's marks a wildcard expansion
-- (RFC 4035 §5.3.4); returns the wildcard owner it implies.
local function signed_wildcard(name, sigs)
  if #sigs == 0 then return nil end   -- unsigned: nothing to read (the usual case)
  local labels = dnsvet.name.labels(name)
  for _, sig in ipairs(sigs) do
    local n = tonumber((sig.data or ""):match("^%S+%s+%S+%s+(%d+)"))
    if n and n < #labels then
      local keep = {}
      for i = #labels - n + 1, #labels do keep[#keep + 1] = labels[i] end
      return "*." .. table.concat(keep, ".")
    end
  end
  return nil
end

local function matches(r, rr)
  if r.comparable == false then return rr.type == r.type and (rr.text or ""):find("p=", 1, true) ~= nil end
  if r.type == "CNAME" then
    return rr.type == "CNAME" and dnsvet.name.normalize(rr.target or "") == dnsvet.name.normalize(r.value or "")
  end
  return rr.type == r.type and dnsvet.rr.same_value(r.type, rr.text or rr.data or "", r.value or "")
end

return {
  id = "record.wildcard_answer",
  title = "Answer synthesized from a wildcard",
  severity = "error",
  tags = {"ses", "record", "wildcard"},
  summary = "The expected name has no record of its own: its answer comes from a wildcard record.",
  fix = "In {zone}, add the {type} record `{relative}` with value `{value}`. A record at the exact name "
     .. "takes precedence over the wildcard {wildcard}, which can stay.",
  references = {"https://www.rfc-editor.org/rfc/rfc4592"},
  order = 21,
  doc = [[
Checks whether the answer at an expected name is synthesized from a wildcard
(`*.example.com`) rather than given by a record at that name. Two signs are
used: a DNSSEC signature whose label count is below the name's (a definite
wildcard expansion), or a made-up sibling name
(`dnsvet-wildcard-probe.<parent>`) answering exactly the same data.

A wildcard answers for every name that does not exist, so a lookup of a
missing DKIM or DMARC record returns the wildcard's data instead of NXDOMAIN.
The record looks present but holds the wrong value, and the real cause (the
record was never added, or was added at a wrong name) is hidden.

Outcomes:
- error (warning for a recommended record): the answer is synthesized and is
  not the expected value; the message shows the wildcard's data.
- nothing when the exact record is there, or when the wildcard happens to
  give the expected value.

Fix: add the record at its exact name; it overrides the wildcard.]],

  check = function(ctx)
    -- the records answered with the wrong data, and for those no signature explains, the
    -- name nobody created under the same parent, asked together (a right answer costs no
    -- question)
    local wrong, questions = {}, {}
    for _, r in ipairs(ctx.expect.records or {}) do
      local name = dnsvet.name.normalize(r.name)
      local rrs, sigs, rep = owned(ctx, name, r.type)
      local good = false
      for _, rr in ipairs(rrs) do
        if matches(r, rr) then
          good = true
          break
        end
      end
      if #rrs > 0 and not good then
        local w = {r = r, name = name, rrs = rrs, rep = rep, wildcard = signed_wildcard(name, sigs),
                   probe = sibling(name)}
        wrong[#wrong + 1] = w
        if not w.wildcard then
          questions[#questions + 1] = {name = w.probe, type = r.type}
        end
      end
    end
    -- a probe name that cannot be asked is taken as empty
    if #questions > 0 then pcall(ctx.query, ctx, "authoritative", questions) end

    for _, w in ipairs(wrong) do
      local r, name, rrs, rep, wildcard, probe = w.r, w.name, w.rrs, w.rep, w.wildcard, w.probe
      local how
      if wildcard then
        how = ("its DNSSEC signature marks it as expanded from %s"):format(wildcard)
      else
        local prrs = owned(ctx, probe, r.type)
        -- the probe name's answer is owned by the probe name: compare the data only
        local same = #prrs > 0 and values(prrs) == values(rrs)
        if same then
          how = ("%s, a name nobody created, gets the very same answer"):format(probe)
          wildcard = "(`*` at or above " .. dnsvet.name.parent(name) .. ")"
        end
      end
      if how then
        local zone = ctx:zone_of(name)
        local zname = zone and zone.name or dnsvet.name.parent(name)
        local shown = {}
        for _, rr in ipairs(rrs) do shown[#shown + 1] = rr.type .. " `" .. (rr.target or rr.text or rr.data or "") .. "`" end
        ctx:report{
          subject = {name = name, type = r.type},
          severity = (r.required == false) and "warning" or nil,
          message = ("%s has no %s record of its own: the answer %s (from %s) comes from a wildcard record; "
            .. "%s. The record expected there is %s `%s`."):format(name, r.type, table.concat(shown, ", "),
            rep and (rep.server or rep.addr) or "?", how, r.type, r.value or ""),
          vars = {zone = zname, type = r.type, relative = dnsvet.name.relative(name, zname),
                  value = r.value or "", wildcard = wildcard},
          evidence = {{server = rep and rep.server, addr = rep and rep.addr, name = name, type = r.type,
                       answer = (function() local a = {} for _, rr in ipairs(rrs) do a[#a + 1] = rr.raw end return a end)()}},
        }
      end
    end
  end,
}
