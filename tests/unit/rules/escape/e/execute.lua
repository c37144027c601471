-- sandbox test: os.execute is not there
return {
  id = "e.execute",
  title = "escape attempt: execute",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    os.execute("touch /tmp/dnsvet-escaped")
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED execute"}
  end,
}
