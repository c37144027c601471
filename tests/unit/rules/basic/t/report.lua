-- t.report: one finding per expected record whose authoritative answer is empty.
return {
  id = "t.report",
  title = "Expected record not published",
  severity = "error",
  tags = {"ses", "dkim", "test"},
  summary = "Test rule: reports expected records without an answer.",
  fix = "Publish {name} {type} {value} at {zone}.",
  order = 10,
  probes = function(expect)
    local list = {}
    for _, r in ipairs(expect.records) do
      list[#list + 1] = {name = r.name, type = r.type}
      list[#list + 1] = {name = r.name .. "." .. expect.zone_guess .. ".", type = r.type}
    end
    list[#list + 1] = {name = "DUP.example.com", type = "txt"}
    list[#list + 1] = {name = "dup.example.com.", type = "TXT"}
    return list
  end,
  check = function(ctx)
    for _, r in ipairs(ctx.expect.records) do
      local e = ctx:answers(r.name, r.type)
      local found = false
      for _, a in ipairs(e and e.auth or {}) do
        if #a.answer > 0 then found = true end
      end
      if not found then
        local z = ctx:zone_of(r.name)
        ctx:report{
          subject = {name = r.name, type = r.type},
          message = ("%s %s has no answer"):format(r.name, r.type),
          vars = {name = r.name, type = r.type, value = r.value, zone = z and z.name or "?"},
          evidence = e and {{server = e.auth[1].server, addr = e.auth[1].addr, rcode = e.auth[1].rcode,
                             answer = e.auth[1].answer, note = "first server"}} or nil,
        }
      end
    end
  end,
}
