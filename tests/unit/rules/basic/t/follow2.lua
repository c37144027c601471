-- t.follow2: asks the same question as t.follow (deduplicated) and another one.
return {
  id = "t.follow2",
  title = "Follow-up 2",
  severity = "info",
  tags = {"followup"},
  order = 21,
  check = function(ctx)
    local e = ctx:query("authoritative", "_dmarc." .. ctx.domain, "TXT")
    local m = ctx:query("authoritative", "mail." .. ctx.domain, "MX")
    local parts = {}
    for _, a in ipairs(m.auth) do
      for _, rr in ipairs(a.answer) do parts[#parts + 1] = rr.preference .. " " .. rr.exchange end
    end
    ctx:report{subject = {name = "mail." .. ctx.domain, type = "MX"},
               message = ("mx [%s] dmarc %d"):format(table.concat(parts, ","), #e.auth)}
  end,
}
