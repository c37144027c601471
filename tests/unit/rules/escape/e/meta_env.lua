-- sandbox test: the environment's metatable is protected
return {
  id = "e.meta_env",
  title = "escape attempt: meta_env",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    setmetatable(_ENV, nil)
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_env"}
  end,
}
