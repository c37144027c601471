return { id = "Bad.x", title = "x", severity = "info", check = function() end }
