-- A user rule replacing the built-in t.quiet.
return {
  id = "t.quiet",
  title = "Replaced catch-all",
  severity = "notice",
  tags = {"user"},
  check = function(ctx)
    ctx:report{subject = {name = ctx.domain}, message = "user version"}
  end,
}
