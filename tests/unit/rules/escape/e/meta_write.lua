-- sandbox test: writing into the observations
return {
  id = "e.meta_write",
  title = "escape attempt: meta_write",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    ctx.expect.records[1] = nil
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_write"}
  end,
}
