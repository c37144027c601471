return { id = "b.unknown_key", title = "x", severity = "error", chekc = 1, check = function() end }
