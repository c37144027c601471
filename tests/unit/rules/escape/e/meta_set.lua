-- sandbox test: replacing a view's metatable
return {
  id = "e.meta_set",
  title = "escape attempt: meta_set",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    setmetatable(ctx.obs, {__index = function() return "evil" end})
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_set"}
  end,
}
