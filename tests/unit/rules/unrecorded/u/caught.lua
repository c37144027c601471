-- u.caught: asks a question no recording holds and catches the error, as rules that take an
-- unanswerable question as "unknown" do; it reports nothing.
return {
  id = "u.caught",
  title = "Caught replay miss",
  severity = "info",
  tags = {"followup"},
  check = function(ctx)
    pcall(ctx.query, ctx, "authoritative", "nothere." .. ctx.domain, "TXT")
  end,
}
