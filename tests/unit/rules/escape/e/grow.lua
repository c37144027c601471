-- sandbox test: memory grows step by step
return {
  id = "e.grow",
  title = "escape attempt: grow",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local t = {}
    for i = 1, 1e9 do t[i] = string.rep("y", 1000) .. i end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED grow"}
  end,
}
