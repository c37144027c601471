-- a.batch: asks three questions of the authoritative servers in one ctx:query call, one of
-- them recorded already, and reports what came back.
return {
  id = "a.batch",
  title = "ctx:query with a list",
  severity = "info",
  summary = "Test rule: asks a list of questions together.",
  check = function(ctx)
    local got = ctx:query("authoritative", {
      {name = "mail.rrs.test", type = "MX"},
      {name = "x.mail.rrs.test", type = "MX"},
      {name = "Y.mail.rrs.test.", type = "mx"},
    })
    local parts = {tostring(#got)}
    for _, e in ipairs(got) do
      parts[#parts + 1] = ("%s/%s/%d"):format(e.name, e.type, #e.auth)
    end
    parts[#parts + 1] = tostring(got[1] == ctx:answers("mail.rrs.test", "MX"))
    parts[#parts + 1] = tostring(pcall(ctx.query, ctx, "authoritative", {}))
    parts[#parts + 1] = tostring(pcall(ctx.query, ctx, "authoritative", {{name = "a.rrs.test"}}))
    ctx:report{subject = {name = ctx.domain}, message = table.concat(parts, " ")}
  end,
}
