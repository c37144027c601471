-- A module for the a.lib test rule: counts how often it ran.
local runs = 0
runs = runs + 1
return {runs = function() return runs end, twice = function(x) return x * 2 end}
