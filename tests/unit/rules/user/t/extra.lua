return {
  id = "t.extra",
  title = "A user rule",
  severity = "info",
  check = function(ctx) end,
}
