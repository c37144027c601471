-- The Lua binding against the lab, run inside tests/lab/labrun -s healthy -s lame
-- -s stale-cache -s double-suffix with LUA_CPATH pointing at the directory holding dnsvet.so.
-- Prints one line per test and exits non-zero when any fails.
local dnsvet = require "dnsvet"

local hints, resolvers = os.getenv("LAB_ROOT_HINTS"), os.getenv("LAB_RESOLVERS")
assert(hints and resolvers, "LAB_ROOT_HINTS/LAB_RESOLVERS are not set: run under labrun")

local HEALTHY = {"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
                 "jyv5a33cls4xe666fysejgcj336txro4"}
local LAME = {"ghhp22uqjklxlslzh6tdnlxcakiixl4z"}
local SUFFIX = {"ujzdegxdncf32epf3dhodzdocis2jhtl", "gmxgedn73u55xtplpft7v4seh2kvj72c",
                "euvw75efr6edt4sywb5wkh7dnsipzz7f"}
local STALE = {"ayrp6jol63qsrg444wlmjjgnpayf6bgn", "3zbusjyt4chfmmbag33h36zzkapflyql",
               "taobkzrdckwnsgk3semqew34bvqmculy"}

local function lab(t)
  t.root_hints, t.resolvers, t.lab = hints, resolvers, true
  return t
end

local function has_rule(report, id)
  for _, f in ipairs(report.findings) do
    if f.rule == id then return f end
  end
end

local tests, failed = {}, 0
local function test(name, fn) tests[#tests + 1] = {name, fn} end

test("check: healthy domain is ready", function()
  local r = assert(dnsvet.check(lab{domain = "healthy-shop.com", dkim_tokens = HEALTHY,
                                    mail_from = "mail.healthy-shop.com"}))
  assert(r.ok == true and r.status == "ok" and r.error == nil)
  assert(r.domain == "healthy-shop.com")
  assert(r.verdict == "ready", r.json)
  assert(r.pending_until == nil)
  local dkim = 0
  for _, rec in ipairs(r.records) do
    if rec.role == "dkim" then
      dkim = dkim + 1
      assert(rec.type == "CNAME" and rec.state == "ok" and rec.required == true)
    end
  end
  assert(dkim == 3, "three DKIM records")
  assert(r.stats.queries > 0)
  assert(r.json:find('"schema":%s*"dnsvet.report/1"'), r.json)
end)

test("check: lame delegation names the servers, with a fix", function()
  local r = assert(dnsvet.check(lab{domain = "lame-bakery.com", dkim_tokens = LAME,
                                    region = "eu-west-1", label = "c-7"}))
  assert(r.label == "c-7")
  local f = has_rule(r, "delegation.lame")
  assert(f, "delegation.lame finding")
  assert(f.severity == "warning")
  assert(f.message:find("ns2.lame-bakery.com", 1, true) and f.message:find("ns3.lame-bakery.com", 1, true))
  assert(type(f.fix) == "string" and #f.fix > 0)
  assert(f.subject.name == "lame-bakery.com")
  assert(f.evidence == nil or type(f.evidence) == "table")
end)

test("check: doubled suffix is broken", function()
  local r = assert(dnsvet.check(lab{domain = "suffix-gallery.com", dkim_tokens = SUFFIX}))
  assert(r.verdict == "broken")
  assert(r.pending_until == nil)
  local f = has_rule(r, "record.name_double_suffix")
  assert(f and f.severity == "error")
  local bad = 0
  for _, rec in ipairs(r.records) do
    if rec.state == "missing" or rec.state == "wrong" then bad = bad + 1 end
  end
  assert(bad > 0)
end)

test("check: pending verdict has pending_until", function()
  local r = assert(dnsvet.check(lab{domain = "cache-bistro.com", dkim_tokens = STALE}))
  assert(r.verdict == "pending", r.json)
  assert(math.type(r.pending_until) == "integer" and r.pending_until > os.time())
  for _, f in ipairs(r.findings) do
    assert(f.expires == nil or f.expires <= r.pending_until)
  end
end)

test("check: explicit records and DMARC off", function()
  local r = assert(dnsvet.check(lab{domain = "healthy-shop.com", dmarc = false,
    records = {{name = "healthy-shop.com", type = "TXT", value = "v=spf1 include:amazonses.com ~all"},
               {"www.healthy-shop.com", "CNAME", "healthy-shop.com"}}}))
  local custom = 0
  for _, rec in ipairs(r.records) do
    assert(rec.role ~= "dmarc", "no DMARC record expected")
    if rec.role == "custom" then
      custom = custom + 1
      assert(rec.state == "ok", rec.name .. " " .. rec.state)
    end
  end
  assert(custom == 2)
end)

test("errors: bad values give nil, message, status", function()
  local r, msg, st = dnsvet.check(lab{domain = "not a domain!"})
  assert(r == nil and st == "invalid" and msg:find("not a domain!", 1, true), msg)
  r, msg, st = dnsvet.check(lab{domain = "healthy-shop.com", region = "eu-wset-1"})
  assert(r == nil and st == "invalid" and msg:find("eu-wset-1", 1, true), msg)
  r, msg, st = dnsvet.check(lab{domain = "healthy-shop.com", dkim_tokens = {"short"}})
  assert(r == nil and st == "invalid", msg)
  r, msg, st = dnsvet.check(lab{domain = "healthy-shop.com", ses_identity = "{\n  \"DkimAttributes\": [\n"})
  assert(r == nil and (st == "parse" or st == "invalid") and msg:find(":[23]:"), msg)
  r, msg, st = dnsvet.session{resolvers = "8.8.8.x"}
  assert(r == nil and (st == "parse" or st == "invalid") and msg:find("8.8.8.x", 1, true), msg)
end)

test("errors: wrong types and unknown options raise", function()
  local ok, err = pcall(dnsvet.check, lab{domain = "healthy-shop.com", dkim_token = {}})
  assert(not ok and err:find("dkim_token", 1, true), err)
  ok, err = pcall(dnsvet.check, lab{domain = "healthy-shop.com", dkim_tokens = "x"})
  assert(not ok and err:find("dkim_tokens", 1, true), err)
  ok, err = pcall(dnsvet.check, lab{domain = "healthy-shop.com", dkim_tokens = {1}})
  assert(not ok and err:find("dkim_tokens[1]", 1, true), err)
  ok, err = pcall(dnsvet.check, lab{domain = "healthy-shop.com\0.evil"})
  assert(not ok and err:find("NUL", 1, true), err)
  ok, err = pcall(dnsvet.check, lab{})
  assert(not ok and err:find("domain", 1, true), err)
  ok, err = pcall(dnsvet.session, {domain = "x.com"})
  assert(not ok and err:find("domain", 1, true), err)
  ok, err = pcall(dnsvet.session, {timeout_ms = -1})
  assert(not ok and err:find("timeout_ms", 1, true), err)
end)

test("session: reuse, stats and the cache", function()
  local s <close> = assert(dnsvet.session(lab{}))
  local a = assert(s:check{domain = "healthy-shop.com", dkim_tokens = HEALTHY})
  local b = assert(s:check{domain = "suffix-gallery.com", dkim_tokens = SUFFIX})
  assert(a.verdict == "ready" and b.verdict == "broken")
  local st = s:stats()
  assert(st.checks == 2 and st.queries > 0 and st.cache_hits > 0)
end)

test("session: submit + poll-style loop with process", function()
  local s <close> = assert(dnsvet.session(lab{}))
  local got = {}
  assert(s:submit({domain = "healthy-shop.com", dkim_tokens = HEALTHY},
                  function(r) got[#got + 1] = r end))
  assert(s:submit({domain = "suffix-gallery.com", dkim_tokens = SUFFIX},
                  function(r) got[#got + 1] = r end))
  assert(s:pending() == 2)
  assert(math.type(s:fd()) == "integer" and s:fd() >= 0)
  while s:pending() > 0 do
    local t = s:next_timeout_ms()
    assert(s:process(t < 0 and 100 or math.min(t, 100)))
  end
  assert(#got == 2)
  local v = {}
  for _, r in ipairs(got) do v[r.domain] = r.verdict end
  assert(v["healthy-shop.com"] == "ready" and v["suffix-gallery.com"] == "broken")
end)

test("session: audit returns every report", function()
  local s <close> = assert(dnsvet.session(lab{max_checks = 2}))
  local reports = assert(s:audit{"healthy-shop.com",
    {domain = "suffix-gallery.com", dkim_tokens = SUFFIX},
    {domain = "cache-bistro.com", dkim_tokens = STALE}})
  assert(#reports == 3)
  local seen = {}
  for _, r in ipairs(reports) do seen[r.domain] = r.verdict end
  assert(seen["suffix-gallery.com"] == "broken" and seen["healthy-shop.com"] == "ready"
         and seen["cache-bistro.com"] == "pending")
  local n = 0
  assert(s:audit({"healthy-shop.com", "suffix-gallery.com"}, function(r) n = n + 1 end))
  assert(n == 2)
  local r, msg = s:audit{"healthy-shop.com", "bad domain!"}
  assert(r == nil and msg:find("bad domain!", 1, true), msg)
  assert(s:pending() == 0, "a rejected audit submits nothing")
end)

test("session: a callback error is raised after process", function()
  local s <close> = assert(dnsvet.session(lab{}))
  assert(s:submit({domain = "healthy-shop.com"}, function() error("boom") end))
  local ok, err = pcall(s.run, s)
  assert(not ok and tostring(err):find("boom"), tostring(err))
  assert(s:pending() == 0)
end)

test("session: close from a callback is refused; closed sessions raise", function()
  local s = assert(dnsvet.session(lab{}))
  local inner
  assert(s:submit({domain = "healthy-shop.com"}, function()
    inner = select(2, pcall(s.close, s))
  end))
  assert(s:run())
  assert(inner and inner:find("callback"), inner)
  s:close()
  s:close()
  local ok, err = pcall(s.check, s, {domain = "healthy-shop.com"})
  assert(not ok and err:find("closed"), err)
end)

test("session: cancelled checks release their callbacks", function()
  local s = assert(dnsvet.session(lab{}))
  local called = false
  for _ = 1, 5 do
    assert(s:submit({domain = "healthy-shop.com"}, function() called = true end))
  end
  s:close()
  collectgarbage()
  assert(not called)
end)

test("session: log function receives library messages", function()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir .. "/custom"))
  local f = assert(io.open(dir .. "/custom/broken.lua", "w"))
  f:write("this is not lua (\n")
  f:close()
  local msgs = {}
  local s = assert(dnsvet.session(lab{rules_dirs = {dir}, log = function(level, m)
    msgs[#msgs + 1] = level .. ": " .. m
  end}))
  s:close()
  os.remove(dir .. "/custom/broken.lua")
  os.remove(dir .. "/custom")
  os.remove(dir)
  local found = false
  for _, m in ipairs(msgs) do found = found or m:find("custom/broken.lua:1:", 1, true) ~= nil end
  assert(found, table.concat(msgs, "\n"))
end)

for _, t in ipairs(tests) do
  local ok, err = xpcall(t[2], debug.traceback)
  if ok then
    print("ok   " .. t[1])
  else
    failed = failed + 1
    print("FAIL " .. t[1] .. "\n" .. tostring(err))
  end
end
collectgarbage()
print(string.format("%d tests, %d failed", #tests, failed))
os.exit(failed == 0 and 0 or 1)
