-- n.ttl: a notice on every expected record, at the default order (before the general
-- record rules), as a support team's TTL rule would make.
return {
  id = "n.ttl",
  title = "TTL note",
  severity = "notice",
  tags = {"record"},
  check = function(ctx)
    for _, r in ipairs(ctx.expect.records or {}) do
      ctx:report{subject = {name = r.name, type = r.type}, message = "TTL noted"}
    end
  end,
}
