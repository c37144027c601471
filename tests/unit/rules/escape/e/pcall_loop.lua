-- sandbox test: budget errors cannot be caught
return {
  id = "e.pcall_loop",
  title = "escape attempt: pcall_loop",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    while true do pcall(function() while true do end end) end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED pcall_loop"}
  end,
}
