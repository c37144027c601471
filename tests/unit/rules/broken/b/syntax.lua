return { id = "b.syntax", title = "x" severity = "error" }
