-- sandbox test: reaching the string metatable
return {
  id = "e.meta_get",
  title = "escape attempt: meta_get",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local mt = getmetatable("")
    mt.__index.upper = function() return "evil" end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_get"}
  end,
}
