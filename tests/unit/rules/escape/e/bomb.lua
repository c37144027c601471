-- sandbox test: one huge allocation
return {
  id = "e.bomb",
  title = "escape attempt: bomb",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local s = string.rep("x", 1 << 30)
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED bomb"}
  end,
}
