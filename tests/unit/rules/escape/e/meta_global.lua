-- sandbox test: patching the helpers
return {
  id = "e.meta_global",
  title = "escape attempt: meta_global",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    dnsvet.name = nil
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_global"}
  end,
}
