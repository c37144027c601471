#!/usr/bin/python3
"""validate_report.py SCHEMA REPORT.json...: checks dnsvet.report/1 documents against the
JSON Schema (docs/report-schema.json) and that their keys keep the documented order."""
import json
import sys

import jsonschema

TOP_ORDER = ["schema", "domain", "label", "verdict", "pending_until", "status", "error",
             "findings", "records", "delegation", "propagation", "stats"]


def main():
    if len(sys.argv) < 3:
        print("usage: validate_report.py SCHEMA REPORT.json...", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for err in validator.iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            print(f"{path}: {where}: {err.message}", file=sys.stderr)
            bad += 1
        keys = list(doc.keys())
        if keys != [k for k in TOP_ORDER if k in doc]:
            print(f"{path}: top-level keys out of order: {keys}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
