return { id = "b.other", title = "x", severity = "error", check = function() end }
