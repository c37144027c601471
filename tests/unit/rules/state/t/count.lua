-- t.count: counts its runs in an upvalue of the chunk; a runner that compiled it again per
-- domain would report run 1 every time.
local runs = 0
return {
  id = "t.count",
  title = "Compiled once per runner",
  severity = "info",
  check = function(ctx)
    runs = runs + 1
    ctx:report{subject = {name = ctx.domain}, message = "run " .. runs}
  end,
}
