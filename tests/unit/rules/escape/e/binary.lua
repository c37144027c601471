-- sandbox test: binary chunks are refused
return {
  id = "e.binary",
  title = "escape attempt: binary",
  severity = "error",
  tags = {"escape"},
  order = 50,
  check = function(ctx)
    local f, err = load("\27LuaT\0\25\147\13\10\26\10\4\8\8\120\86\0\0\0\0\0\0\0\0\0\0\0\40\119\64\1")
    if f then f() end
    error(err)
    ctx:report{subject = {name = ctx.domain}, message = "ESCAPED binary"}
  end,
}
