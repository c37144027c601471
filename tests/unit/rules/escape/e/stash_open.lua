-- sandbox test: a view read (so opened) in one domain and kept for the next
return {
  id = "e.stash_open",
  title = "escape attempt: stash an open view",
  severity = "error",
  tags = {"escape"},
  order = 51,
  check = function(ctx)
    if not kept then
      kept = ctx.obs.zones
      ctx:report{subject = {name = ctx.domain}, message = "stashed " .. tostring(#kept > 0 and kept[1].name)}
      return
    end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED stash_open " .. tostring(#kept)}
  end,
}
