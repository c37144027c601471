-- sandbox test: asks an answered question without end (no yield in replay)
return {
  id = "e.queries",
  title = "escape attempt: queries",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local r = ctx.expect.records[1]
    while true do ctx:query("authoritative", r.name, r.type) end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED queries"}
  end,
}
