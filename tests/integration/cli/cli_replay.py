#!/usr/bin/python3
"""dnsvet check --replay on recordings that cannot be replayed, and DOMAIN operands; offline.

    python3 cli_replay.py DNSVET SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

DNSVET, ROOT = sys.argv[1], sys.argv[2]
REC = os.path.join(ROOT, "bench", "data", "suffix-gallery.com.yaml")
TEXT = open(REC).read()
DKIM1 = "ujzdegxdncf32epf3dhodzdocis2jhtl._domainkey.suffix-gallery.com"

from checks import check, finish


def run(args):
    p = subprocess.run([DNSVET] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def show(rc, out, err):
    return f"  exit {rc}\n  stdout: {out[:1500]}\n  stderr: {err[:1500]}"


def first(old, new, text=TEXT):
    assert old in text, old
    return text.replace(old, new, 1)


def replay(tmp, name, text, extra=()):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path, run(["check", "--replay", path, "--format", "text"] + list(extra))


def cannot_replay(label, rc, out, err, *wanted):
    """Exit 2 and every wanted piece (a regex) in what was printed, never READY."""
    said = out + err
    check(f"{label}: exit 2 naming the file, the place and the fault",
          rc == 2 and "READY" not in out and all(re.search(w, said) for w in wanted),
          show(rc, out, err))


with tempfile.TemporaryDirectory() as tmp:
    rc, out, err = run(["check", "--replay", REC, "--format", "text"])
    check("the recording as made: BROKEN, exit 1", rc == 1 and out.startswith(
        "suffix-gallery.com: BROKEN"), show(rc, out, err))

    # 1: the probe's own questions must be answered; rcodes must be known
    path, (rc, out, err) = replay(tmp, "truncated.yaml", TEXT[:4598])
    cannot_replay("truncated recording", rc, out, err, re.escape(path) + r":\d+:\d+: ",
                  re.escape(DKIM1 + " CNAME"))
    i, j = TEXT.index("\nanswers:\n"), TEXT.index("\nstats:")
    path, (rc, out, err) = replay(tmp, "no-answers.yaml", TEXT[:i] + "\nanswers: []" + TEXT[j:])
    cannot_replay("answers: []", rc, out, err, re.escape(path), re.escape(DKIM1 + " CNAME"))
    entry = TEXT.index("  - name: suffix-gallery.com\n    type: NS\n")
    after = TEXT.index("  - name: suffix-gallery.com\n    type: TXT\n")
    path, (rc, out, err) = replay(tmp, "no-ns.yaml", TEXT[:entry] + TEXT[after:])
    cannot_replay("no answer to the domain's NS", rc, out, err, re.escape(path),
                  "suffix-gallery.com NS")
    exploded = TEXT.replace("rcode: NOERROR", "rcode: EXPLODED", 1).replace(
        "rcode: NXDOMAIN", "rcode: EXPLODED", 1)
    path, (rc, out, err) = replay(tmp, "exploded.yaml", exploded)
    cannot_replay("unknown rcode", rc, out, err, re.escape(path) + r":117:16: ",
                  "unknown rcode 'EXPLODED'")

    # 2: every RR string is an RR
    spf = '- suffix-gallery.com. 3600 IN TXT "v=spf1 include:amazonses.com ~all"'
    path, (rc, out, err) = replay(tmp, "not-rr.yaml", first(spf, "- this is not a resource record"))
    cannot_replay("a string that is not an RR", rc, out, err,
                  re.escape(path) + r":179:13: answers\[2\]\.auth\[0\]\.answer\[0\]: "
                  r"not a resource record: 'this is not a resource record'")
    path, (rc, out, err) = replay(tmp, "int-rr.yaml", first(spf, "- 12345"))
    cannot_replay("an integer for an RR", rc, out, err,
                  re.escape(path) + r":179:13: answers\[2\]\.auth\[0\]\.answer\[0\]: "
                  r"not a resource record: '12345'")
    path, (rc, out, err) = replay(tmp, "glue.yaml", first(
        "- ns1.suffix-gallery.com. 172800 IN A 127.60.13.1", "- ns1.suffix-gallery.com. A"))
    cannot_replay("glue that is not an RR", rc, out, err,
                  re.escape(path) + r":\d+:\d+: zones\[0\]\.glue\[0\]: not a resource record")

    # 3: the expectations are checked as the flags would be
    for name, old, new, wanted in [
            ("records: nope", "  records:\n", "  records: nope\n  x_records:\n",
             r":15:12: expect\.records: must be a list"),
            ("records with wrong types", "  records:\n",
             "  records: [{name: 5, type: null, value: [1]}]\n  x_records:\n",
             r":15:\d+: expect\.records\[0\]: needs name, type and value strings"),
            ("dkim_tokens: [1,2,3]",
             "  dkim_tokens:\n    - ujzdegxdncf32epf3dhodzdocis2jhtl\n"
             "    - gmxgedn73u55xtplpft7v4seh2kvj72c\n    - euvw75efr6edt4sywb5wkh7dnsipzz7f\n",
             "  dkim_tokens: [1,2,3]\n", r":9:17: expect\.dkim_tokens\[0\]: must be a string"),
            ("region: mars-1", "region: us-east-1", "region: mars-1",
             r":6:11: expect\.region: .*mars-1"),
            ("a required record of another name", "    - name: mail.suffix-gallery.com\n      type: MX",
             "    - name: mx.suffix-gallery.com\n      type: MX",
             r":\d+:\d+: expect\.records\[3\]: .*mx\.suffix-gallery\.com MX")]:
        path, (rc, out, err) = replay(tmp, "expect.yaml", first(old, new))
        cannot_replay(f"expect {name}", rc, out, err, re.escape(path) + wanted)

    # 4: DOMAIN must be the recording's
    rc, out, err = run(["check", "--replay", REC, "other-domain.com"])
    check("--replay with another DOMAIN: exit 2 naming both", rc == 2 and out == ""
          and "other-domain.com" in err and "suffix-gallery.com" in err, show(rc, out, err))
    rc, out, err = run(["check", "--replay", REC, "Suffix-Gallery.COM.", "--format", "text"])
    check("--replay with DOMAIN in other case, trailing dot: replayed", rc == 1
          and out.startswith("suffix-gallery.com: BROKEN"), show(rc, out, err))

# 5: a long name is reported with its length
rc, out, err = run(["check", "a" * 5000 + ".com"])
check("a 5004-character DOMAIN: its real length", rc == 2 and "is 5004 characters long" in err,
      show(rc, out, err))

finish()
