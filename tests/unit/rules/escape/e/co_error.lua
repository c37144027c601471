-- sandbox test: error raised inside the coroutine after a yield
return {
  id = "e.co_error",
  title = "escape attempt: co_error",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local e = ctx:query("authoritative", "_dmarc." .. ctx.domain, "TXT")
    error("boom after the yield")
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED co_error"}
  end,
}
