-- a.rrs: reports what ctx:rrs finds, for the unit test to compare.
local function show(list)
  local parts = {}
  for _, o in ipairs(list) do
    parts[#parts + 1] = ("%s %s@%s"):format(o.rr.type, o.rr.exchange or o.rr.target or "?", o.reply.addr)
  end
  return table.concat(parts, ",")
end

return {
  id = "a.rrs",
  title = "ctx:rrs",
  severity = "info",
  summary = "Test rule: reports what ctx:rrs finds.",
  check = function(ctx)
    local lines = {
      "auth=" .. show(ctx:rrs("auth", "mail.rrs.test", "MX")),
      "own=" .. show(ctx:rrs("own", "Mail.RRS.test.", "mx")),
      "own_mx=" .. show(ctx:rrs("own", "mail.rrs.test", "MX", "MX")),
      "own_cname=" .. show(ctx:rrs("own", "mail.rrs.test", "MX", "CNAME")),
      "resolvers=" .. show(ctx:rrs("resolvers", "mail.rrs.test", "MX")),
      "target=" .. show(ctx:rrs("auth", "relay.other.test", "MX")),
      "unasked=" .. show(ctx:rrs("auth", "mail.rrs.test", "TXT")),
    }
    local a, b = ctx:rrs("own", "mail.rrs.test", "MX"), ctx:rrs("own", "mail.rrs.test.", "MX")
    lines[#lines + 1] = "same=" .. tostring(a == b)
    lines[#lines + 1] = "reply=" .. tostring(a[1].reply == ctx:answers("mail.rrs.test", "MX").auth[1])
    lines[#lines + 1] = "rr=" .. tostring(a[3].rr == a[3].reply.answer[2])
    lines[#lines + 1] = "write=" .. tostring(pcall(function() a[1] = 1 end))
    lines[#lines + 1] = "write_item=" .. tostring(pcall(function() a[1].rr = 1 end))
    local keys = {}
    for k, v in pairs(a[1]) do keys[#keys + 1] = k .. ":" .. tostring(v == a[1][k]) end
    lines[#lines + 1] = "pairs_item=" .. table.concat(keys, ",") .. ";" .. tostring(a[1].other)
    lines[#lines + 1] = "bad_side=" .. tostring(pcall(ctx.rrs, ctx, "parent", "mail.rrs.test", "MX"))
    lines[#lines + 1] = "bad_type=" .. tostring(pcall(ctx.rrs, ctx, "auth", "mail.rrs.test", "NOPE"))
    -- dnsvet.authoritative: the zone's own replies (the same tables), the zone, and why not
    local own, zone = dnsvet.authoritative(ctx, "Mail.RRS.test.", "mx")
    lines[#lines + 1] = ("authoritative=%d %s %s %s %s"):format(#own, own[1].addr,
      tostring(own[2] == ctx:answers("mail.rrs.test", "MX").auth[2]),
      tostring(zone == ctx:zone_of("mail.rrs.test")),
      tostring(own == dnsvet.authoritative(ctx, "Mail.RRS.test.", "mx")))
    lines[#lines + 1] = "auth_unasked=" .. table.concat({tostring(dnsvet.authoritative(ctx, "mail.rrs.test", "TXT"))}, " ")
      .. " " .. select(2, dnsvet.authoritative(ctx, "mail.rrs.test", "TXT"))
    lines[#lines + 1] = "auth_nozone=" .. select(2, dnsvet.authoritative(ctx, "x.example", "A"))
    lines[#lines + 1] = "auth_not_ctx=" .. tostring(pcall(dnsvet.authoritative, {}, "other.rrs.test", "MX"))
    lines[#lines + 1] = "auth_bad_type=" .. tostring(pcall(dnsvet.authoritative, ctx, "mail.rrs.test", "NOPE"))
    ctx:report{subject = {name = ctx.domain}, message = table.concat(lines, "\n")}
  end,
}
