-- sandbox test: string.dump is not there, not even as a method
return {
  id = "e.dump",
  title = "escape attempt: dump",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local d = string.dump or ("").dump
    local s = d(function() end)
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED dump"}
  end,
}
