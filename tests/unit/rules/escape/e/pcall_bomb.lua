-- sandbox test: memory errors cannot be caught
return {
  id = "e.pcall_bomb",
  title = "escape attempt: pcall_bomb",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    for i = 1, 100 do pcall(string.rep, "x", 1 << 30) end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED pcall_bomb"}
  end,
}
