-- sandbox test: a well-behaved rule
return {
  id = "e.good",
  title = "escape attempt: good",
  severity = "error",
  tags = {"escape"},
  order = 99,
  check = function(ctx)
    -- well behaved: proves the others do not stop the run
    local s = ("abc"):upper()
    assert(s == "ABC" and string.upper("x") == "X" and dnsvet.name ~= nil)
    ctx:report{subject = {name = ctx.domain}, message = "good ran " .. s}
    do return end
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED good"}
  end,
}
