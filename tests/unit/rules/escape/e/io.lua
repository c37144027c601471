-- sandbox test: io is not there
return {
  id = "e.io",
  title = "escape attempt: io",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local f = io.open("/etc/passwd")
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED io"}
  end,
}
