-- sandbox test: patching the shared string library
return {
  id = "e.meta_string",
  title = "escape attempt: meta_string",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    string.upper = function() return "evil" end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_string"}
  end,
}
