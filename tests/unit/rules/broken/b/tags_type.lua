return { id = "b.tags_type", title = "x", severity = "error", tags = "ses", check = function() end }
