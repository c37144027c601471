-- sandbox test: never returns from yields
return {
  id = "e.yields",
  title = "escape attempt: yields",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local i = 0
    while true do
      i = i + 1
      ctx:query("resolvers", "n" .. i .. "." .. ctx.domain, "A")
    end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED yields"}
  end,
}
