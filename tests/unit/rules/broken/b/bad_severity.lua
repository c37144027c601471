return { id = "b.bad_severity", title = "x", severity = "fatal", check = function() end }
