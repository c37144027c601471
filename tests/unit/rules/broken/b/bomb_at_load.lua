-- 64 MiB while loading: over the load memory cap
local s = string.rep("x", 64 << 20)
return { id = "b.bomb_at_load", title = "x", severity = "info", check = function() end }
