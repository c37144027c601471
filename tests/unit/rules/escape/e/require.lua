-- sandbox test: require is not there
return {
  id = "e.require",
  title = "escape attempt: require",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local m = require("os")
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED require"}
  end,
}
