#!/usr/bin/python3
"""CLI tests of dnsvet check, records and trace against the lab.

Run by meson under tests/lab/labrun with the healthy, lame and double-suffix scenarios:
    labrun -s healthy -s lame -s double-suffix -- python3 cli_lab.py DNSVET SOURCE_ROOT
"""
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import threading

import jsonschema

DNSVET, ROOT = sys.argv[1], sys.argv[2]
LAB = ["--root-hints", os.environ["LAB_ROOT_HINTS"], "--resolvers", os.environ["LAB_RESOLVERS"],
       "--lab"]
SES_DATA = os.path.join(ROOT, "tests", "unit", "data", "ses")
SCHEMA_PATH = os.path.join(ROOT, "docs", "report-schema.json")

HEALTHY = ["healthy-shop.com", "--dkim-token", "xu7wq45c257az4iapfcri5eysanb6cei",
           "--dkim-token", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
           "--dkim-token", "jyv5a33cls4xe666fysejgcj336txro4",
           "--mail-from", "mail.healthy-shop.com"]
SUFFIX = ["suffix-gallery.com", "--dkim-token", "ujzdegxdncf32epf3dhodzdocis2jhtl",
          "--dkim-token", "gmxgedn73u55xtplpft7v4seh2kvj72c",
          "--dkim-token", "euvw75efr6edt4sywb5wkh7dnsipzz7f",
          "--mail-from", "mail.suffix-gallery.com"]
SUFFIX_RULE = "record.name_double_suffix"

from checks import check, finish


def run(args, env=None, timeout=120):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([DNSVET] + args, capture_output=True, text=True, env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def run_pty(args, env=None, timeout=120):
    """Runs dnsvet with stdout on a pseudo-terminal; returns (status, output)."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    if env:
        e.update(env)
    master, slave = pty.openpty()
    chunks = []

    def reader():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    t = threading.Thread(target=reader)
    t.start()
    p = subprocess.Popen([DNSVET] + args, stdout=slave, stderr=subprocess.PIPE, env=e)
    os.close(slave)
    p.wait(timeout=timeout)
    t.join(timeout=10)
    os.close(master)
    return p.returncode, b"".join(chunks).decode("utf-8", "replace")


def show(rc, out, err):
    return f"  status {rc}\n  stdout: {out[:3000]}\n  stderr: {err[:2000]}"


def findings(doc):
    return [(f["rule"], f["severity"], f["subject"]["name"], f["subject"].get("type"),
             f["message"]) for f in doc["findings"]]


# --help on every command
for cmd in ("check", "records", "trace"):
    rc, out, err = run([cmd, "--help"])
    check(f"{cmd} --help", rc == 0 and out.startswith(f"usage: dnsvet {cmd}")
          and "--root-hints" in out, show(rc, out, err))

schema = None
if os.path.exists(SCHEMA_PATH):
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
check("docs/report-schema.json exists", schema is not None, SCHEMA_PATH)


def valid(doc):
    if schema is None:
        return False, "no schema"
    try:
        jsonschema.validate(doc, schema)
        return True, ""
    except jsonschema.ValidationError as ex:
        return False, str(ex)[:2000]


# healthy: READY, exit 0, text and json
rc, out, err = run(["check"] + HEALTHY + LAB + ["--format", "text"])
check("check healthy: exit 0, READY first", rc == 0 and out.splitlines()[0].startswith(
      "healthy-shop.com: READY"), show(rc, out, err))
check("check healthy: every expected record ok",
      "Expected records:" in out and out.count("\n  ok ") == 7 and "missing" not in out,
      show(rc, out, err))
check("check text through a pipe has no escape codes", "\x1b" not in out, show(rc, out, err))

rc, out, err = run(["check"] + HEALTHY + LAB)
try:
    doc = json.loads(out)
except ValueError:
    doc = None
check("check healthy: json is the default through a pipe", rc == 0 and doc is not None
      and doc.get("schema") == "dnsvet.report/1" and doc.get("verdict") == "ready",
      show(rc, out, err))
if doc is not None:
    ok, why = valid(doc)
    check("check healthy: json validates against docs/report-schema.json", ok, why)

# broken: exit 1, the rule id in text and json
rc, out, err = run(["check"] + SUFFIX + LAB + ["--format", "text"])
check("check double-suffix: exit 1, BROKEN, rule id in text",
      rc == 1 and out.startswith("suffix-gallery.com: BROKEN") and f"[{SUFFIX_RULE}]" in out
      and "Errors (" in out and "fix:" in out, show(rc, out, err))

with tempfile.TemporaryDirectory() as tmp:
    rec = os.path.join(tmp, "suffix.yaml")
    rc, out, err = run(["check"] + SUFFIX + LAB + ["--format", "json", "--record", rec])
    try:
        live = json.loads(out)
    except ValueError:
        live = None
    check("check double-suffix: json, exit 1, rule id", rc == 1 and live is not None
          and live["verdict"] == "broken" and SUFFIX_RULE in [f["rule"] for f in live["findings"]],
          show(rc, out, err))
    if live is not None:
        ok, why = valid(live)
        check("check double-suffix: json validates against the schema", ok, why)
    check("--record wrote the observations", os.path.exists(rec)
          and open(rec).read().startswith("schema: dnsvet.obs/1"), show(rc, out, err))

    rc, out, err = run(["check", "--replay", rec, "--format", "json"])
    try:
        replayed = json.loads(out)
    except ValueError:
        replayed = None
    check("--replay without DOMAIN: same verdict and findings", rc == 1 and live is not None
          and replayed is not None and replayed["verdict"] == live["verdict"]
          and findings(replayed) == findings(live), show(rc, out, err))
    rc2, out2, err2 = run(["check", "suffix-gallery.com", "--replay", rec, "--format", "json",
                           "--resolvers", "none"])
    try:
        again = json.loads(out2)
    except ValueError:
        again = None
    check("--replay with DOMAIN, offline: same findings", rc2 == 1 and again is not None
          and live is not None and findings(again) == findings(live)
          and again["records"] == live["records"], show(rc2, out2, err2))
    rc, out, err = run(["check", "suffix-gallery.com", "--replay", rec, "--dkim-token",
                        "ujzdegxdncf32epf3dhodzdocis2jhtl"])
    check("--replay with expectation flags: exit 2 naming the flag",
          rc == 2 and "--dkim-token" in err, show(rc, out, err))

    # library messages: notices on stderr by default, silenced by -q
    rdir = os.path.join(tmp, "rules", "spf")
    os.makedirs(rdir)
    shutil.copy(os.path.join(ROOT, "rules", "spf", "missing.lua"), rdir)
    rc, out, err = run(["check", "--replay", rec, "--rules-dir", os.path.join(tmp, "rules")])
    check("a library notice is printed on stderr", rc == 1
          and "dnsvet: notice: user rule " in err and "replaces built-in spf.missing" in err,
          show(rc, out, err))
    rc, out, err = run(["check", "--replay", rec, "-r", os.path.join(tmp, "rules"),
                        "-s", "spf.*"])
    check("-r and -s are --rules-dir and --select", rc == 1
          and "replaces built-in spf.missing" in err
          and json.loads(out)["findings"]
          and all(f["rule"].startswith("spf.") for f in json.loads(out)["findings"]),
          show(rc, out, err))
    rc, out, err = run(["check", "--replay", rec, "--rules-dir", os.path.join(tmp, "rules"),
                        "-q"])
    check("-q silences notices", rc == 1 and "notice" not in err and out.startswith("{"),
          show(rc, out, err))

    # --config holds the same settings; flags win over it
    cfg = os.path.join(tmp, "dnsvet.yaml")
    with open(cfg, "w") as f:
        f.write("root_hints: %s\nresolvers: \"%s\"\nlab: true\nformat: text\ntimeout: 2s\n"
                "dkim_token:\n  - xu7wq45c257az4iapfcri5eysanb6cei\n"
                "  - haf3bdhvfzyxy4nicfwiqmbtsybz42h7\n  - jyv5a33cls4xe666fysejgcj336txro4\n"
                "mail_from: mail.healthy-shop.com\n"
                % (os.environ["LAB_ROOT_HINTS"], os.environ["LAB_RESOLVERS"]))
    rc, out, err = run(["check", "healthy-shop.com", "--config", cfg])
    check("--config: settings from the file", rc == 0 and out.startswith(
          "healthy-shop.com: READY") and out.count("\n  ok ") == 7, show(rc, out, err))
    rc, out, err = run(["check", "healthy-shop.com", "--config", cfg, "--format", "json"])
    check("--config: a flag wins over the file", rc == 0 and out.startswith("{"),
          show(rc, out, err))
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("timeout: 2s\nresolver: 127.0.0.1\n")
    rc, out, err = run(["check", "x.com", "--config", bad])
    check("--config: unknown key names file:line:column and the closest key",
          rc == 2 and f"{bad}:2:1: resolver" in err and "did you mean 'resolvers'" in err,
          show(rc, out, err))
    with open(bad, "w") as f:
        f.write("lab: yes please\n")
    rc, out, err = run(["check", "x.com", "--config", bad])
    check("--config: a bad value names file:line:column", rc == 2 and f"{bad}:1:6: lab" in err,
          show(rc, out, err))
    with open(bad, "w") as f:
        f.write('resolvers: "bogus!!"\n')
    rc, out, err = run(["check", "x.com", "--config", bad])
    check("--config: a bad resolver names file:line:column, not --resolvers", rc == 2
          and f"{bad}:1:12: resolvers: not a numeric address[:port]: 'bogus!!'" in err
          and "--resolvers" not in err, show(rc, out, err))
    with open(bad, "w") as f:
        f.write("budget: [1, 2]\n")
    rc, out, err = run(["check", "x.com", "--config", bad])
    check("--config: a list for an option that does not repeat is an error", rc == 2
          and f"{bad}:1:9: budget: expected one value, not a list" in err, show(rc, out, err))
    with open(bad, "w") as f:
        f.write("budget: 99999999999999999999999\n")
    rc, out, err = run(["check", "x.com", "--config", bad])
    check("--config: a number is quoted as written", rc == 2
          and f"{bad}:1:9: budget: '99999999999999999999999' is not" in err, show(rc, out, err))
    with open(bad, "w") as f:
        f.write("timeout: 1.5\nbudget: 300  # queries\n")
    rc, out, err = run(["check", "--config", bad, "--replay", rec, "--format", "json"])
    check("--config: numbers as written still parse", rc == 1 and out.startswith("{"),
          show(rc, out, err))
    huge = os.path.join(tmp, "huge.yaml")
    with open(huge, "w") as f:
        f.write("domains:\n  - " + "a" * 2000000 + ".com\n")
    rc, out, err = run(["audit", "--root-hints", os.environ["LAB_ROOT_HINTS"], "-q", huge])
    check("audit: an invalid entry's long name is cut, its reason kept", rc == 2
          and "characters long, more than the 253 a domain name allows" in err
          and len(err) < 1000, show(rc, out, err[:1000]))
    defres = os.path.join(tmp, "defres.yaml")
    with open(defres, "w") as f:
        f.write('defaults:\n  resolvers: [1.2.3.4, "bogus addr"]\ndomains: [a.com]\n')
    rc, out, err = run(["audit", "--root-hints", os.environ["LAB_ROOT_HINTS"], "-q", defres])
    check("audit: a bad default resolver names file:line:column, not --resolvers", rc == 2
          and f"{defres}:2:24: defaults.resolvers[1]: " in err and "--resolvers" not in err,
          show(rc, out, err))

    out_file = os.path.join(tmp, "report.json")
    rc, out, err = run(["check"] + HEALTHY + LAB + ["--format", "json", "-o", out_file])
    check("--output writes the report to the file", rc == 0 and out == ""
          and json.load(open(out_file))["verdict"] == "ready", show(rc, out, err))

# colour: only on a terminal, never with NO_COLOR or --no-color
rc, out = run_pty(["check"] + HEALTHY + LAB)
check("terminal: text by default, with colour", rc == 0 and "READY" in out and "\x1b[" in out
      and not out.lstrip().startswith("{"), out[:2000])
rc, out = run_pty(["check"] + HEALTHY + LAB, env={"NO_COLOR": "1"})
check("terminal with NO_COLOR: no escape codes", rc == 0 and "READY" in out
      and "\x1b" not in out, out[:2000])
rc, out = run_pty(["check"] + HEALTHY + LAB + ["--no-color"])
check("terminal with --no-color: no escape codes", rc == 0 and "READY" in out
      and "\x1b" not in out, out[:2000])
rc, out = run_pty(["trace", "lame-bakery.com", "SOA", "--timeout", "300ms"] + LAB,
                  env={"NO_COLOR": "1"})
check("trace on a terminal with NO_COLOR: no escape codes", rc == 0 and "\x1b" not in out,
      out[:2000])

# records: both forms from an SES identity JSON
ident = os.path.join(SES_DATA, "mail_from.json")
rc, out, err = run(["records", "shop.example.com", "--ses-identity", ident, "--zone",
                    "example.com"])
check("records: zone-file lines", rc == 0 and "mail.shop.example.com. 1800 IN MX 10 feedback-smtp."
      in out and "._domainkey.shop.example.com. 1800 IN CNAME " in out, show(rc, out, err))
check("records: web form with names relative to the zone", "TYPE" in out
      and any(l.split()[:2] == ["MX", "mail.shop"] for l in out.splitlines())
      and any(l.startswith("CNAME") and "._domainkey.shop " in l for l in out.splitlines()),
      show(rc, out, err))
rc, out, err = run(["records", "shop.example.com", "--ses-identity", ident, "--format", "json"])
try:
    recs = json.loads(out)["records"]
except (ValueError, KeyError):
    recs = []
check("records --format json: relative names and MX priority", rc == 0 and any(
      r["type"] == "MX" and r["relative_name"] == "mail" and r["priority"] == 10 for r in recs)
      and sum(r["role"] == "dkim" for r in recs) == 3, show(rc, out, err))
for f in sorted(os.listdir(SES_DATA)):
    if f in ("broken.json", "bad_token.json", "email_address.json"):
        continue
    rc, out, err = run(["records", "shop.example.com", "--ses-identity",
                        os.path.join(SES_DATA, f)])
    check(f"records from {f}", rc == 0 and " IN " in out and "TYPE" in out, show(rc, out, err))

# trace: every server of the healthy zone, the path from the root, the resolvers
rc, out, err = run(["trace", "healthy-shop.com"] + LAB)
lines = out.splitlines()
check("trace healthy: exit 0", rc == 0, show(rc, out, err))
for who, addr in (("a.root-servers.net", "127.53.0.1"), ("b.root-servers.net", "127.53.0.2"),
                  ("a.gtld-servers.net", "127.53.1.1"), ("b.gtld-servers.net", "127.53.1.2"),
                  ("ns1.healthy-shop.com", "127.60.1.1"), ("ns2.healthy-shop.com", "127.60.1.2")):
    check(f"trace healthy: delegation lists {who}",
          any(l.split()[:3] == [who, addr, "ok"] for l in lines), out)
for who, addr in (("ns1.healthy-shop.com", "127.60.1.1"), ("ns2.healthy-shop.com", "127.60.1.2"),
                  ("resolver1", "127.53.3.1"), ("resolver2", "127.53.3.2"),
                  ("resolver3", "127.53.3.3")):
    check(f"trace healthy: answer of {who}", any(
        l.split()[:3] == [who, addr, "NOERROR"] and l.rstrip().endswith("A 203.0.113.10")
        for l in lines), out)
check("trace healthy: servers and resolvers agree", out.count("give the same answer") == 2, out)

dkim = "xu7wq45c257az4iapfcri5eysanb6cei._domainkey.healthy-shop.com"
rc, out, err = run(["trace", dkim, "cname"] + LAB)
check("trace of a DKIM name: every server's CNAME and the chain", rc == 0 and sum(
      l.split()[:3] in (["ns1.healthy-shop.com", "127.60.1.1", "NOERROR"],
                        ["ns2.healthy-shop.com", "127.60.1.2", "NOERROR"])
      and l.rstrip().endswith("CNAME xu7wq45c257az4iapfcri5eysanb6cei.dkim.amazonses.com.")
      for l in out.splitlines()) == 2 and "CNAME chain followed" in out, show(rc, out, err))

rc, out, err = run(["trace", "lame-bakery.com", "SOA", "--timeout", "300ms"] + LAB)
check("trace lame: lame servers and disagreeing answers",
      rc == 0 and "lame (refused)" in out and "lame (timeout)" in out
      and "different answers" in out, show(rc, out, err))

# hostile DNS data: a server's TXT with terminal escapes, BEL and a C1 CSI reaches every
# text output escaped (\DDD), while well-formed UTF-8 passes unchanged
def run_bytes(args):
    p = subprocess.run([DNSVET] + args, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def terminal_safe(b):
    """No byte a terminal acts on: C0 but newline, DEL, C1 (as UTF-8), malformed UTF-8."""
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f for c in t)


EVIL_TXT = '"_dmarc.suffix-gallery.com. 3600 IN TXT \\"v=DMARC1; p=\\e[2J\\e]0;pwned\\abogus' \
           '\\u009b\\u00e9\\""'
with tempfile.TemporaryDirectory() as tmp:
    src = open(os.path.join(ROOT, "bench", "data", "suffix-gallery.com.yaml")).read()
    plain = '_dmarc.suffix-gallery.com. 3600 IN TXT "v=DMARC1; p=none; ' \
            'rua=mailto:dmarc@suffix-gallery.com"'
    evil = os.path.join(tmp, "evil.yaml")
    with open(evil, "w") as f:
        f.write(src.replace(plain, EVIL_TXT))
    check("hostile recording made", src.count(plain) > 0, "")
    for args in (["check", "--replay", evil, "--format", "text"],
                 ["check", "--replay", evil, "--format", "text", "-v"],
                 ["trace", "--replay", evil, "_dmarc.suffix-gallery.com", "TXT"]):
        rc, out, err = run_bytes(args)
        check(f"{' '.join(args[:1] + args[3:])}: control characters escaped",
              rc in (0, 1) and terminal_safe(out) and terminal_safe(err)
              and b"p=\\027[2J\\027]0" in out and b"pwned\\007bogus\\194\\155\xc3\xa9" in out,
              show(rc, out[-3000:], err))
    rc, out, err = run_bytes(["check", "--replay", evil, "--format", "json"])
    check("check --format json keeps its own escaping", rc == 1
          and b"\\u001b[2J" in out and b"\x1b" not in out, show(rc, out[-2000:], err))
    audit = os.path.join(tmp, "evil-audit.yaml")
    with open(audit, "w") as f:
        f.write('domains:\n  - "a\\e]0;x\\a.com"\n')
    rc, out, err = run_bytes(["audit", "--root-hints", os.environ["LAB_ROOT_HINTS"],
                              "--resolvers", "none", "--no-progress", "--format", "text", audit])
    check("audit: an invalid entry's name is escaped", rc == 2 and terminal_safe(err)
          and b"a\\027]0;x\\007.com" in err, show(rc, out, err))

# output that cannot be written: exit 3, said once
with tempfile.TemporaryDirectory() as tmp:
    audit = os.path.join(tmp, "two.yaml")
    with open(audit, "w") as f:
        f.write("domains: [a.example, b.example]\n")
    for fmt in ("text", "jsonl", "json", "junit"):
        rc, out, err = run(["audit", "--root-hints", os.environ["LAB_ROOT_HINTS"], "--resolvers",
                            "none", "--no-progress", "-q", "--format", fmt, "-o", "/dev/full",
                            audit])
        check(f"audit --format {fmt} -o /dev/full: exit 3, one message", rc == 3
              and err.count("cannot write") == 1 and "/dev/full" in err, show(rc, out, err))

# hostile SES identity JSON: a NUL that would cut a value short, a token given twice, YAML
# passing for JSON; each refused with the file, line, column and field
HOSTILE = tempfile.mkdtemp(prefix="dnsvet-cli-")
TOK = "abcdefghijklmnopqrstuvwxyz012345"
for fname, text in (
        ("nul_token.json", '{"DkimAttributes": {"Tokens": ["%s\\u0000junk"]}}' % TOK),
        ("nul_mail_from.json", '{"MailFromAttributes": {"MailFromDomain": '
                               '"mail.shop.example.com\\u0000.evil.org"}}'),
        ("dup_tokens.json", '{"DkimAttributes": {"Tokens": ["%s", "%s", "%s"]}}' % (TOK, TOK, TOK)),
        ("yaml.json", "{'DkimAttributes': {'Tokens': ['%s']}}" % TOK),
        ("trailing_comma.json", '{"IdentityType": "DOMAIN",}')):
    with open(os.path.join(HOSTILE, fname), "w") as f:
        f.write(text)

# bad input: exit 2, the flag named
BAD = [
    (["records", "shop.example.com", "--ses-identity", os.path.join(HOSTILE, "nul_token.json")],
     "nul_token.json:1:32: DkimAttributes.Tokens[0]: contains a control character"),
    (["records", "shop.example.com", "--ses-identity", os.path.join(HOSTILE, "nul_mail_from.json")],
     "nul_mail_from.json:1:43: MailFromAttributes.MailFromDomain: contains a control character"),
    (["records", "shop.example.com", "--ses-identity", os.path.join(HOSTILE, "dup_tokens.json")],
     "dup_tokens.json:1:68: DkimAttributes.Tokens[1]: '%s' is given twice" % TOK),
    (["records", "shop.example.com", "--ses-identity", os.path.join(HOSTILE, "yaml.json")],
     "yaml.json:1:2: expected a string key in quotes"),
    (["records", "shop.example.com", "--ses-identity", os.path.join(HOSTILE, "trailing_comma.json")],
     "trailing_comma.json:1:27:"),
    (["records", "shop.example.com", "--ses-identity", os.path.join(SES_DATA, "mail_from.json"),
      "--region", "eu-west-1"],
     "--region: eu-west-1 is not the identity's region af-south-1"),
    (["records", "example.com", "--region", "mars-1"], "(known: us-east-1/2, us-west-1/2,"),
    (["records", "example.com", "--format", "zone", "--expect", "@ BOGUS abc"],
     "--expect: 'BOGUS' is not a record type"),
    (["records", "example.com", "--format", "zone", "--expect", "@ MX notanmx"],
     "--expect: 'notanmx' is not MX data"),
    (["records", "example.com", "--format", "zone", "--expect", "@ A 999.1.1.1"],
     "--expect: '999.1.1.1' is not A data"),
    (["records", "example.com", "--format", "zone", "--expect", "a b c d e"],
     "--expect: 'B' is not a record type"),
    (["records", "example.com", "--format", "zone", "--expect", "other.org. TXT abc"],
     "--expect: 'other.org' is not example.com or a name below it"),
    (["check", "x.com", "--timeout", "abc"], "--timeout"),
    (["check", "x.com", "--timeout"], "--timeout needs a value"),
    (["check", "x.com", "--budget", "0"], "--budget"),
    (["check", "x.com", "--format", "xml"], "--format"),
    (["check", "x.com", "--formt", "json"], "did you mean '--format'"),
    (["check", "x.com", "--dkim-token", "short"], "--dkim-token"),
    (["check", "x.com", "--region", "mars-1"], "--region"),
    (["check", "x.com", "--mail-from", "mail.other.org"], "--mail-from"),
    (["check", "x.com", "--expect", "only-a-name"], "--expect"),
    (["check", "x.com", "--byodkim-selector", "a.b"], "--byodkim-selector"),
    (["check", "x.com", "--ses-identity", os.path.join(SES_DATA, "broken.json")],
     "--ses-identity: " + os.path.join(SES_DATA, "broken.json") + ":"),
    (["check", "x.com", "--ses-identity", "/nonexistent.json"], "--ses-identity"),
    (["records", "x.com", "--ses-identity", os.path.join(SES_DATA, "email_address.json")],
     "--ses-identity"),
    (["records", "x.com", "--ses-identity", os.path.join(SES_DATA, "bad_token.json")],
     "--ses-identity"),
    (["check", "x.com", "--resolvers", "1.2.3.x"], "--resolvers"),
    (["check", "x.com", "--root-hints", "/nonexistent"], "--root-hints"),
    (["check", "x.com", "--rules-dir", "/nonexistent"], "--rules-dir"),
    (["check", "x.com", "--select", "("] + LAB, "--select"),
    (["check", "x.com", "--record", "a.yaml", "--replay", "b.yaml"], "--record and --replay"),
    (["check", "x.com", "--replay", "/nonexistent.yaml"], "/nonexistent.yaml"),
    (["check", "-o", "/nonexistent/dir/out.json"] + HEALTHY + LAB, "--output"),
    (["check", "bad..name"], "bad..name"),
    (["check"], "DOMAIN"),
    (["records", "x.com", "--zone", "other.org"], "--zone"),
    (["records", "x.com", "--format", "zonefile"], "--format"),
    (["trace", "x.com", "BOGUS"], "TYPE"),
    (["trace"], "NAME"),
    (["trace", "x.com", "--resolvers", "300.1.1.1"], "--resolvers"),
    (["check", "x.com", "--re", "x"],
     "dnsvet check: ambiguous option '--re' (could be --resolvers, --record, --replay, "
     "--region)"),
    (["check", "x.com", "--select", ""], "dnsvet check: --select: the value is empty"),
    (["audit", "--shard", "0/3", "x.yaml"],
     "dnsvet audit: --shard: '0/3': K must be 1..N and N 1..65536\n"),
    (["audit", "--shard", " 1/3", "x.yaml"], "--shard: expected K/N such as 2/8, not ' 1/3'"),
    (["audit", "--shard", "+1/3", "x.yaml"], "--shard: expected K/N such as 2/8, not '+1/3'"),
    (["check", "x.com", "--config", "/tmp"], "--config: cannot read '/tmp': Is a directory"),
]
for args, want in BAD:
    rc, out, err = run(args)
    check(f"bad input {' '.join(args[:4])}: exit 2 naming {want!r}", rc == 2 and want in err,
          show(rc, out, err))

# the identity's region goes for DKIM and MAIL FROM alike; a good --expect still passes
rc, out, err = run(["records", "shop.example.com", "--ses-identity",
                    os.path.join(SES_DATA, "mail_from.json"), "--format", "zone",
                    "--expect", "www A 192.0.2.1", "--expect", "@ MX 10 mx.example.net."])
check("records: one region from a regional identity, extra records kept",
      rc == 0 and "feedback-smtp.af-south-1.amazonses.com" in out
      and out.count(".dkim.af-south-1.amazonses.com.") == 3 and "www.shop.example.com." in out
      and "mx.example.net" in out, show(rc, out, err))
shutil.rmtree(HOSTILE, ignore_errors=True)

finish()
