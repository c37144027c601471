-- engine test: a report with a misspelt field
return {
  id = "e.report_field",
  title = "malformed report: unknown field",
  severity = "error",
  tags = {"escape", "report"},
  order = 50,
  check = function(ctx)
    ctx:report{subject = {name = ctx.domain}, mesage = "typo"}
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED report_field"}
  end,
}
