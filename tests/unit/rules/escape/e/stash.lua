-- sandbox test: a view kept for the next domain
return {
  id = "e.stash",
  title = "escape attempt: stash",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    if not keep then
      keep = ctx.obs.zones
      ctx:report{subject = {name = ctx.domain}, message = "stashed"}
      return
    end
    local z = keep[1]
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED stash " .. tostring(z and z.name)}
  end,
}
