-- t.data: reads a data file and the helper library.
return {
  id = "t.data",
  title = "Data and helpers",
  severity = "info",
  tags = {"helpers"},
  check = function(ctx)
    local d = dnsvet.data("things")
    local out = {}
    out[#out + 1] = d.name .. ":" .. #d.list .. ":" .. d.list[2]
    out[#out + 1] = tostring(dnsvet.cidr.contains(d.prefix, "104.16.1.1"))
    out[#out + 1] = tostring(dnsvet.cidr.contains("2606:4700::/32", "2606:4700:10::1"))
    out[#out + 1] = dnsvet.name.normalize("A.Example.COM.")
    out[#out + 1] = table.concat(dnsvet.name.labels("a.b.c"), "|")
    out[#out + 1] = dnsvet.name.parent("a.b.c") .. "," .. dnsvet.name.parent("c")
    out[#out + 1] = tostring(dnsvet.name.is_sub("x.Example.com", "example.com")) ..
                    tostring(dnsvet.name.is_sub("xexample.com", "example.com"))
    out[#out + 1] = dnsvet.name.relative("a.b.example.com", "example.com") .. "," ..
                    dnsvet.name.relative("example.com", "example.com")
    out[#out + 1] = dnsvet.name.join("@", "example.com") .. "," .. dnsvet.name.join("www", "example.com.")
    local rr = dnsvet.rr.parse('x.Example.com. 300 IN TXT "v=spf1 " "include:amazonses.com ~all" "a\\"b\\059"')
    out[#out + 1] = rr.name .. "/" .. rr.type .. "/" .. rr.ttl .. "/" .. rr.class .. "/" .. #rr.strings .. "/" .. rr.text
    local mx = dnsvet.rr.parse("m.example.com. 60 IN MX 10 Feedback-SMTP.us-east-1.amazonses.com.")
    out[#out + 1] = mx.preference .. " " .. mx.exchange .. " [" .. mx.data .. "]"
    local soa = dnsvet.rr.parse("example.com. 3600 IN SOA ns1.host.net. hostmaster.host.net. 2026112001 7200 900 1209600 300")
    out[#out + 1] = soa.mname .. " " .. soa.serial .. " " .. soa.minimum
    out[#out + 1] = tostring(dnsvet.rr.same_value("CNAME", "A.dkim.amazonses.com.", "a.dkim.amazonses.com")) ..
                    tostring(dnsvet.rr.same_value("TXT", '"v=spf1" " -all"', "v=spf1 -all")) ..
                    tostring(dnsvet.rr.same_value("TXT", "abc", "ABC")) ..
                    tostring(dnsvet.rr.same_value("MX", "10 A.example.", "10 a.example")) ..
                    tostring(dnsvet.rr.same_value("AAAA", "2001:db8::1", "2001:DB8:0::1"))
    out[#out + 1] = dnsvet.base64.decode("aGVsbG8=") .. "," .. tostring(select(1, dnsvet.base64.decode("a*b")))
    out[#out + 1] = tostring(dnsvet.edit_distance("kitten", "sitting")) .. "," ..
                    tostring(dnsvet.edit_distance("p=MIGfMA0GCSqAB", "p=MIGfMAGCSqB")) .. "," ..
                    tostring(dnsvet.edit_distance("aaaa", "aa")) .. "," ..
                    tostring(dnsvet.edit_distance("", "abc")) .. "," ..
                    tostring(dnsvet.edit_distance("same", "same"))
    out[#out + 1] = dnsvet.fmt_time(1795424400)
    out[#out + 1] = tostring(math.random == nil) .. tostring(string.dump == nil) .. tostring(("x").dump == nil)
    local n = 0
    for k, v in pairs(ctx.obs) do n = n + 1 end
    out[#out + 1] = tostring(n) .. ":" .. tostring(next(ctx.zones) ~= nil) .. ":" .. tostring(#ctx.zones)
    ctx:report{subject = {name = ctx.domain}, message = table.concat(out, ";")}
  end,
}
