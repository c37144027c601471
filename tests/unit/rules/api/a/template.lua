-- a.template: a fix template with placeholders, doubled braces and braces kept as written.
return {
  id = "a.template",
  title = "Fix templates",
  severity = "info",
  summary = "Test rule: fills a fix template.",
  fix = 'Set {{"name": "{name}"}} in {zone}; keep {this, a lone } and {x-y} as written; {list}.',
  check = function(ctx)
    ctx:report{subject = {name = ctx.domain}, message = "template",
               vars = {name = "mail", zone = "rrs.test", list = {"a", "b", 3}}}
  end,
}
