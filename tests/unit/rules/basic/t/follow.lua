-- t.follow: asks a follow-up question and reports what it got.
return {
  id = "t.follow",
  title = "Follow-up",
  severity = "notice",
  tags = {"followup", "dmarc"},
  order = 20,
  check = function(ctx)
    local name = "_dmarc." .. ctx.domain
    local e = ctx:query("authoritative", name, "TXT")
    local texts = {}
    for _, a in ipairs(e.auth) do
      for _, rr in ipairs(a.answer) do texts[#texts + 1] = a.addr .. "=" .. rr.text end
    end
    local r = ctx:query("resolvers", name, "TXT")
    -- the zone's first server again, named by address: the same entry answers it
    local first = ctx:zone_of(name).servers[1].addr
    local listed = ctx:query({first}, "_dmarc." .. ctx.domain .. ".", "txt")
    ctx:report{subject = {name = name, type = "TXT"},
               message = ("auth %d [%s] resolvers %d listed %d same %s"):format(#e.auth,
                 table.concat(texts, ","), #r.resolvers, #listed.auth, tostring(e == listed))}
  end,
}
