-- engine test: a fix placeholder without a value
return {
  id = "e.report_var",
  title = "malformed report: placeholder",
  severity = "error",
  tags = {"escape", "report"},
  fix = "Publish {name} at {zone}.",
  order = 50,
  check = function(ctx)
    ctx:report{subject = {name = ctx.domain}, message = "half the vars", vars = {name = "x"}}
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED report_var"}
  end,
}
