-- sandbox test: rawset
return {
  id = "e.meta_rawset",
  title = "escape attempt: meta_rawset",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    rawset(ctx.obs, "domain", "evil")
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED meta_rawset"}
  end,
}
