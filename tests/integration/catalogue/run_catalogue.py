#!/usr/bin/python3
"""The rule catalogue against the lab: every domain of table.yaml through the whole pipeline.

usage (inside tests/lab/labrun, loaded with the scenarios the table names):
  run_catalogue.py --driver catalogue_check --rules RULES_DIR --table table.yaml
                   [--identities DIR] [--only DOMAIN]... [--keep DIR]

For each domain the table gives the expectations (DKIM tokens or BYODKIM selector, region,
MAIL FROM, legacy token, SES identity JSON), the rules that must report, the rules that
must not (the near misses), the verdict, and optionally the highest severity allowed. The
checks all run in one session (catalogue_check). Every failure names the domain and the
rule missing or unexpected, with what was found instead.

The table must also cover the catalogue: every rule in RULES_DIR that real servers can
show has to be required by at least one domain, so a new rule without a lab domain fails
here. Rule ids in the table are checked against RULES_DIR, so a typo cannot pass silently.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import yaml

SEVERITIES = ["error", "warning", "notice", "info"]
VERDICTS = ["ready", "pending", "broken", "unknown"]
KEYS = {"domain", "scenario", "about", "tokens", "byodkim_selector", "region", "mail_from",
        "legacy_token", "edited_ns", "identity", "dmarc", "must", "must_not", "verdict", "max_severity"}
# Rules no lab domain can show: engine.rule_error needs a failing rule, not DNS data.
NOT_LAB_SHOWABLE = {"engine.rule_error"}


class TableError(Exception):
    pass


def catalogue_ids(rules_dir):
    """Rule ids defined under rules_dir (the `id = "..."` of every rule file)."""
    ids = {}
    for root, _, files in os.walk(rules_dir):
        for f in files:
            if f.endswith(".lua"):
                path = os.path.join(root, f)
                with open(path, encoding="utf-8") as fh:
                    m = re.search(r'^\s*id\s*=\s*"([^"]+)"', fh.read(), re.M)
                if m:
                    ids[m.group(1)] = path
    return ids


def load_table(path, ids, identities):
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, list):
        raise TableError("%s: the table must be a list of domains" % path)
    seen = set()
    for i, e in enumerate(data):
        where = "%s: entry %d" % (path, i + 1)
        if not isinstance(e, dict) or "domain" not in e:
            raise TableError("%s: needs a domain" % where)
        where = "%s (%s)" % (where, e["domain"])
        unknown = set(e) - KEYS
        if unknown:
            raise TableError("%s: unknown key(s) %s" % (where, ", ".join(sorted(unknown))))
        if e["domain"] in seen:
            raise TableError("%s: domain listed twice" % where)
        seen.add(e["domain"])
        for k in ("must", "must_not"):
            e[k] = list(e.get(k) or [])
            for rid in e[k]:
                if rid not in ids:
                    raise TableError("%s: %s names %s, which is not a rule in the catalogue"
                                     % (where, k, rid))
        both = set(e["must"]) & set(e["must_not"])
        if both:
            raise TableError("%s: %s both required and forbidden" % (where, ", ".join(both)))
        if e.get("verdict") is not None and e["verdict"] not in VERDICTS:
            raise TableError("%s: verdict must be one of %s" % (where, ", ".join(VERDICTS)))
        if e.get("max_severity") is not None and e["max_severity"] not in SEVERITIES:
            raise TableError("%s: max_severity must be one of %s" % (where, ", ".join(SEVERITIES)))
        if e.get("identity"):
            p = os.path.join(identities, e["identity"])
            if not os.path.exists(p):
                raise TableError("%s: identity file %s does not exist" % (where, p))
            e["identity_path"] = p
    return data


def request_line(e, keep):
    words = [e["domain"]]
    for t in e.get("tokens") or []:
        words.append("token=" + t)
    for key, word in (("region", "region"), ("mail_from", "mail_from"),
                      ("legacy_token", "legacy"), ("byodkim_selector", "selector"),
                      ("identity_path", "identity")):
        if e.get(key):
            words.append("%s=%s" % (word, e[key]))
    for ns in e.get("edited_ns") or []:
        words.append("edited_ns=" + ns)
    if e.get("dmarc") is False:
        words.append("dmarc=no")
    if keep:
        words.append("record=" + os.path.join(keep, e["domain"] + ".obs.yaml"))
    for w in words:
        if any(c.isspace() for c in w):
            raise TableError("%s: '%s' contains white space" % (e["domain"], w))
    return " ".join(words)


def shown(findings):
    if not findings:
        return "    (no findings)"
    return "\n".join("    %s %s [%s %s]: %s" % (
        f.get("severity"), f.get("rule"), (f.get("subject") or {}).get("name", ""),
        (f.get("subject") or {}).get("type", ""), f.get("message", "")) for f in findings)


def judge(e, r):
    """Problems with one domain's result, as sentences naming the domain."""
    d = e["domain"]
    if r is None:
        return ["%s: no result from the driver" % d]
    if "verdict" not in r:
        return ["%s: the check could not be made: %s" % (d, r.get("error", "?"))]
    problems = []
    if r.get("status") != "ok":
        problems.append("%s: the check did not run properly (status %s: %s)"
                        % (d, r.get("status"), r.get("error", "")))
    findings = r.get("findings") or []
    got = {}
    for f in findings:
        got.setdefault(f.get("rule"), []).append(f)
    for rid in e["must"]:
        if rid not in got:
            problems.append("%s: rule %s did not report (expected: %s)"
                            % (d, rid, (e.get("about") or "see table.yaml").strip()))
    for rid in e["must_not"]:
        for f in got.get(rid, []):
            problems.append("%s: rule %s reported although this is a near miss for it: %s"
                            % (d, rid, f.get("message", "")))
    if "engine.rule_error" in got and "engine.rule_error" not in e["must"]:
        for f in got["engine.rule_error"]:
            problems.append("%s: a rule failed: %s" % (d, f.get("message", "")))
    cap = e.get("max_severity")
    if cap:
        for f in findings:
            sev = f.get("severity")
            if sev in SEVERITIES and SEVERITIES.index(sev) < SEVERITIES.index(cap):
                problems.append("%s: %s reported at %s, above the allowed %s: %s"
                                % (d, f.get("rule"), sev, cap, f.get("message", "")))
    if e.get("verdict") and r.get("verdict") != e["verdict"]:
        problems.append("%s: verdict %s, expected %s" % (d, r.get("verdict"), e["verdict"]))
    return problems


def main(argv):
    ap = argparse.ArgumentParser(prog="run_catalogue.py")
    ap.add_argument("--driver", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--identities", default=None)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--keep", default=None, help="save each domain's observations here")
    a = ap.parse_args(argv)
    identities = a.identities or os.path.dirname(os.path.abspath(a.table))

    ids = catalogue_ids(a.rules)
    try:
        table = load_table(a.table, ids, identities)
    except (TableError, OSError, yaml.YAMLError) as err:
        print("FAIL table: %s" % err)
        return 1
    failures = []
    if not a.only:
        required = set()
        for e in table:
            required.update(e["must"])
        for rid in sorted(set(ids) - required - NOT_LAB_SHOWABLE):
            failures.append("catalogue: rule %s (%s) is required by no lab domain in %s"
                            % (rid, ids[rid], a.table))
    else:
        table = [e for e in table if e["domain"] in a.only]
        missing = set(a.only) - {e["domain"] for e in table}
        if missing:
            print("FAIL --only: not in the table: %s" % ", ".join(sorted(missing)))
            return 1
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)

    try:
        lines = [request_line(e, a.keep) for e in table]
    except TableError as err:
        print("FAIL table: %s" % err)
        return 1
    p = subprocess.run([a.driver, a.rules], input="\n".join(lines) + "\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.stderr.strip():
        sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print("FAIL driver: %s exited with %d" % (a.driver, p.returncode))
        return 1
    results = {}
    for out in p.stdout.splitlines():
        try:
            r = json.loads(out)
        except ValueError:
            print("FAIL driver: not JSON: %s" % out[:200])
            return 1
        results[r.get("domain")] = r

    for e in table:
        r = results.get(e["domain"])
        problems = judge(e, r)
        rules = sorted({f.get("rule") for f in (r or {}).get("findings") or []})
        if problems:
            failures += problems
            print("FAIL %s (verdict %s)" % (e["domain"], (r or {}).get("verdict")))
            for pr in problems:
                print("  " + pr)
            print(shown((r or {}).get("findings")))
        else:
            print("ok   %s: %s; %s" % (e["domain"], r.get("verdict"),
                                       ", ".join(rules) if rules else "no findings"))
    for f in failures:
        if f.startswith("catalogue:"):
            print("FAIL " + f)
    print("catalogue: %d domains, %d problem(s)" % (len(table), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
