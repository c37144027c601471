-- a.lib: reports what dnsvet.lib gives, for the unit test to compare.
local shared = dnsvet.lib("shared")

local function err(f, ...)
  local ok, e = pcall(f, ...)
  return ok and "ok" or tostring(e):gsub("^.-: ", "", 1)
end

return {
  id = "a.lib",
  title = "dnsvet.lib",
  severity = "info",
  summary = "Test rule: loads shared modules.",
  check = function(ctx)
    local again = dnsvet.lib("shared")
    local esc = dnsvet.lib("escape")
    local lines = {
      "same=" .. tostring(again == shared) .. " runs=" .. shared.runs() .. " twice=" .. shared.twice(21),
      "write=" .. tostring(pcall(function() shared.twice = nil end)),
      "escape=" .. tostring(esc.io) .. tostring(esc.os_execute) .. tostring(esc.require),
      "missing=" .. err(dnsvet.lib, "nothere"),
      "name=" .. err(dnsvet.lib, "../x"),
      "broken=" .. err(dnsvet.lib, "broken"),
      "broken_again=" .. err(dnsvet.lib, "broken"),
      "selfish=" .. err(dnsvet.lib, "selfish"),
      "notable=" .. err(dnsvet.lib, "notable"),
    }
    ctx:report{subject = {name = ctx.domain}, message = table.concat(lines, "\n")}
  end,
}
