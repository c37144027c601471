return { id = "b.ok", title = "fine", severity = "info", check = function() end }
