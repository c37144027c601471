-- sandbox test: endless loop
return {
  id = "e.loop",
  title = "escape attempt: loop",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    while true do end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED loop"}
  end,
}
