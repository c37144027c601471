-- engine test: a report without a subject
return {
  id = "e.report_subject",
  title = "malformed report: subject",
  severity = "error",
  tags = {"escape", "report"},
  order = 50,
  check = function(ctx)
    ctx:report{message = "no subject"}
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED report_subject"}
  end,
}
