#!/usr/bin/python3
"""dnsvet audit against the lab (run by tests/lab/labrun, scenarios: see meson.build).

    audit_lab.py DNSVET SOURCE_ROOT

Every case runs the real binary with the lab's root hints and resolvers and checks its exit
status, standard output and standard error.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import jsonschema

DNSVET, ROOT = sys.argv[1], sys.argv[2]
HERE = os.path.join(ROOT, "tests", "integration", "audit")
LAB = os.path.join(HERE, "lab")
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def audit(*args, hints=None, resolvers=None):
    cmd = [DNSVET, "audit", "--lab", "--no-progress",
           "--root-hints", hints or os.environ["LAB_ROOT_HINTS"],
           "--resolvers", resolvers or os.environ["LAB_RESOLVERS"]] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def jsonl(out):
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    reports = [l for l in lines if "summary" not in l]
    summaries = [l["summary"] for l in lines if "summary" in l]
    return reports, summaries


with open(os.path.join(ROOT, "docs", "report-schema.json")) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema) if "2020-12" in schema.get(
    "$schema", "") else jsonschema.Draft7Validator(schema)


def test_mixed():
    """good, broken and bare domains: one line each, then the summary; exit 1"""
    rc, out, err = audit("--format", "jsonl", os.path.join(LAB, "mixed.yaml"))
    check(rc == 1, "mixed: exit %d, expected 1 (a broken domain); stderr: %s" % (rc, err))
    lines = out.splitlines()
    check(len(lines) == 4, "mixed: %d lines, expected 3 reports + summary" % len(lines))
    check(lines and lines[-1].startswith('{"summary":'), "mixed: last line is not the summary")
    reports, summaries = jsonl(out)
    for r in reports:
        errors = sorted(validator.iter_errors(r), key=lambda e: list(e.path))
        check(not errors, "mixed: %s does not validate: %s" % (
            r.get("domain"), "; ".join("%s: %s" % (list(e.path), e.message) for e in errors[:3])))
    verdicts = {r["domain"]: r["verdict"] for r in reports}
    check(sorted(verdicts) == ["forgotten-cafe.com", "healthy-shop.com", "lame-bakery.com"],
          "mixed: domains %s" % sorted(verdicts))
    check(verdicts.get("healthy-shop.com") == "ready",
          "mixed: healthy-shop.com is %s" % verdicts.get("healthy-shop.com"))
    check(verdicts.get("forgotten-cafe.com") == "broken",
          "mixed: forgotten-cafe.com is %s" % verdicts.get("forgotten-cafe.com"))
    if summaries:
        s = summaries[0]
        check(s["domains"] == 3 and s["invalid"] == 0 and s["exit"] == 1,
              "mixed: summary %s" % s)
        counted = {}
        for v in verdicts.values():
            counted[v] = counted.get(v, 0) + 1
        check(all(s["verdicts"].get(v) == n for v, n in counted.items()),
              "mixed: summary verdicts %s, reports %s" % (s["verdicts"], counted))
        broken_rules = set()
        for r in reports:
            for f in r.get("findings", []):
                if f["severity"] in ("error", "warning"):
                    broken_rules.add(f["rule"])
        top = {t["rule"] for t in s["top_failures"]}
        check(top and top <= broken_rules, "mixed: top_failures %s not among %s" % (
            top, broken_rules))
    # the human summary goes to stderr for machine formats
    check("3 domains" in err and "ready" in err and "most frequent failures" in err,
          "mixed: no summary on stderr: %s" % err)

    # json: the same reports in one dnsvet.audit/1 document
    rc, out, err = audit("--format", "json", os.path.join(LAB, "mixed.yaml"))
    check(rc == 1, "json: exit %d" % rc)
    try:
        doc = json.loads(out)
        check(doc["schema"] == "dnsvet.audit/1", "json: schema %s" % doc.get("schema"))
        check(sorted(r["domain"] for r in doc["reports"]) == sorted(verdicts),
              "json: reports %s" % [r["domain"] for r in doc["reports"]])
        check(doc["summary"]["domains"] == 3, "json: summary %s" % doc["summary"])
    except (ValueError, KeyError) as e:
        check(False, "json: not one audit document: %s: %s" % (e, out[:300]))


def selected_rules(select):
    p = subprocess.run([DNSVET, "rules", "list", "--select", select], capture_output=True,
                       text=True)
    return [l.split()[0] for l in p.stdout.splitlines()[1:] if l.strip()]


def test_junit():
    """junit: well-formed, one testsuite per domain, one testcase per selected rule"""
    select = "delegation.* or ses.dkim.* or spf.*"
    rules = selected_rules(select)
    check(len(rules) >= 3, "junit: selection %r has %d rules" % (select, len(rules)))
    rc, out, err = audit("--format", "junit", "--select", select,
                         os.path.join(LAB, "mixed.yaml"))
    check(rc == 1, "junit: exit %d; %s" % (rc, err))
    try:
        root = ET.fromstring(out)
    except ET.ParseError as e:
        check(False, "junit: not well-formed XML: %s" % e)
        return
    suites = root.findall("testsuite")
    check(root.tag == "testsuites" and len(suites) == 3, "junit: %d testsuites" % len(suites))
    for s in suites:
        cases = s.findall("testcase")
        names = [c.get("name") for c in cases]
        check(int(s.get("tests")) == len(cases), "junit: %s tests=%s but %d testcases"
              % (s.get("name"), s.get("tests"), len(cases)))
        check(all(names.count(r) == 1 for r in rules),
              "junit: %s: selected rules missing or repeated: %s" % (s.get("name"), names))
        extra = [n for n in names if n not in rules]
        check(all(n.startswith("engine.") for n in extra),
              "junit: %s: unexpected testcases %s" % (s.get("name"), extra))
        failed = [c for c in cases if c.find("failure") is not None]
        check(int(s.get("failures")) == len(failed), "junit: %s failures=%s, %d failed cases"
              % (s.get("name"), s.get("failures"), len(failed)))
        if s.get("name") == "forgotten-cafe.com":
            check(failed, "junit: forgotten-cafe.com has no failure")
        if s.get("name") == "healthy-shop.com":
            check(not failed, "junit: healthy-shop.com fails %s" % [c.get("name") for c in failed])


def test_syntax_error():
    """a YAML syntax error: exit 2 with file:line:column, and nothing is sent"""
    # a listener in the lab namespace as the only root server and resolver
    addr = "127.99.0.1"
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 53))
    sock.setblocking(False)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind((addr, 53))
    tcp.listen(8)
    tcp.setblocking(False)
    with tempfile.NamedTemporaryFile("w", suffix=".hints", delete=False) as h:
        h.write(".  3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A %s\n" % addr)
    path = os.path.join(HERE, "data", "syntax.yaml")
    rc, out, err = audit("--format", "jsonl", path, hints=h.name, resolvers=addr)
    os.unlink(h.name)
    check(rc == 2, "syntax: exit %d, expected 2" % rc)
    check("syntax.yaml:5:1:" in err, "syntax: no file:line:column in %r" % err)
    check(out == "", "syntax: output %r" % out)
    sent = 0
    try:
        while sock.recv(4096):
            sent += 1
    except BlockingIOError:
        pass
    try:
        tcp.accept()
        sent += 1
    except BlockingIOError:
        pass
    check(sent == 0, "syntax: %d queries were sent" % sent)
    sock.close()
    tcp.close()


def test_invalid_entries():
    """each invalid entry reported with its line; the others still run; exit 2"""
    path = os.path.join(LAB, "invalid.yaml")
    rc, out, err = audit("--format", "jsonl", path)
    check(rc == 2, "invalid: exit %d, expected 2" % rc)
    for where, what in [("invalid.yaml:6:", "-bad-.com"),
                        ("invalid.yaml:8:", "dkim_tokens[1]"),
                        ("invalid.yaml:10:", "unknown key 'mailfrom' (did you mean 'mail_from'?)"),
                        ("invalid.yaml:12:", "no-such-identity.json")]:
        line = [l for l in err.splitlines() if where in l]
        check(line and what in line[0], "invalid: %s %s not reported: %s" % (where, what, err))
    reports, summaries = jsonl(out)
    check(sorted(r["domain"] for r in reports) == ["healthy-shop.com", "northwind-books.com"],
          "invalid: reports for %s" % [r["domain"] for r in reports])
    check(summaries and summaries[0]["invalid"] == 4 and summaries[0]["exit"] == 2,
          "invalid: summary %s" % summaries)


def test_shards():
    """--shard 1/2 and 2/2 cover every domain exactly once; their jsonl concatenates"""
    path = os.path.join(LAB, "shards.yaml")
    with open(path) as f:
        want = sorted(l.strip()[2:] for l in f if l.strip().startswith("- "))
    got, outs = [], ""
    for k in (1, 2):
        rc, out, err = audit("--format", "jsonl", "--shard", "%d/2" % k, path)
        check(rc in (0, 1), "shard %d/2: exit %d: %s" % (k, rc, err))
        reports, summaries = jsonl(out)
        check(reports, "shard %d/2 is empty (the split is uneven for this file)" % k)
        check(summaries and summaries[0].get("shard") == "%d/2" % k,
              "shard %d/2: summary %s" % (k, summaries))
        got += [r["domain"] for r in reports]
        outs += out
    check(sorted(got) == want, "shards: %s, expected %s" % (sorted(got), want))
    reports, summaries = jsonl(outs)
    check(len(reports) == len(want) and len(summaries) == 2, "shards: concatenation")


def test_threads():
    """--threads 1 and --threads 3 (each loop with its own session and caches) report the
    same verdicts and findings for every domain, each domain once, with one summary"""
    path = os.path.join(LAB, "shards.yaml")
    seen = {}
    for n in (1, 3):
        rc, out, err = audit("--format", "jsonl", "--jobs", "4", "--threads", str(n), path)
        check(rc in (0, 1), "threads %d: exit %d: %s" % (n, rc, err))
        reports, summaries = jsonl(out)
        check(len(summaries) == 1 and summaries[0]["domains"] == len(reports),
              "threads %d: summary %s for %d reports" % (n, summaries, len(reports)))
        domains = [r["domain"] for r in reports]
        check(len(domains) == len(set(domains)), "threads %d: a domain twice: %s" % (n, domains))
        seen[n] = {r["domain"]: (r["verdict"], sorted((f["rule"], f["subject"]["name"])
                                                      for f in r.get("findings", [])))
                   for r in reports}
    check(seen[1] == seen[3], "threads: 1 loop gave %s, 3 gave %s" % (seen[1], seen[3]))
    rc, out, err = audit("--threads", "0", path)
    check(rc == 2 and "--threads" in err, "threads 0: exit %d: %s" % (rc, err))


for t in (test_mixed, test_junit, test_syntax_error, test_invalid_entries, test_shards,
          test_threads):
    t()
if failures:
    print("audit-lab: %d of %d checks failed" % (len(failures), checks), file=sys.stderr)
    sys.exit(1)
print("audit-lab: %d checks passed" % checks)
