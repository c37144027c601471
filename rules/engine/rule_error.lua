-- engine.rule_error: emitted by the rule engine itself; this file only documents it.
return {
  id = "engine.rule_error",
  title = "A rule failed",
  severity = "error",
  tags = {"engine"},
  summary = "A rule stopped with an error or exceeded its budget, so its check is missing from the diagnosis.",
  fix = "Report the message to the dnsvet maintainers with the recording (`dnsvet check --record FILE`); meanwhile the other findings still hold.",
  references = {"docs/rule-api.md"},
  order = 99,
  doc = [[
The rule engine emits this finding itself; no rule script produces it. This file exists so
that the id is documented and `dnsvet rules show engine.rule_error` explains it.

It appears when a rule:
- raised a Lua error (the message gives the rule, file and line);
- exceeded its instruction budget or its memory cap;
- made a malformed report (no subject or message, a `{placeholder}` of its fix without a
  value);
- asked, in replay mode, a question the recording does not contain.

Why it matters: the failure mode that rule looks for was not checked, so a clean result is
not proof that everything is right. The other rules' findings are unaffected.

Fix: nothing in the DNS. Keep the recording of the run and report the message; with
`--replay FILE` the same run repeats exactly.
]],

  check = function(ctx)
    -- intentionally empty: the engine reports rule failures under this id
  end,
}
