"""Reports as plain Python objects, copied out of the C report (which is freed at once)."""

import json
from dataclasses import dataclass, field
from typing import Any, List, Optional

from . import _lib
from ._lib import lib, text


@dataclass(frozen=True)
class Subject:
    """The DNS name (and type, when the finding is about one) a finding is about."""
    name: str
    type: Optional[str] = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str          # "error", "warning", "notice", "info"
    title: Optional[str]
    message: str
    fix: Optional[str]
    subject: Subject
    evidence: Any          # the rule's evidence list (JSON-shaped), or None
    expires: Optional[int] # Unix time, or None


@dataclass(frozen=True)
class Record:
    """One expected record and what the name servers had."""
    name: str
    type: str
    value: Optional[str]
    role: str
    required: bool
    state: str             # "ok", "pending", "wrong", "missing", "unknown"
    seen: Optional[str]


@dataclass(frozen=True)
class Report:
    domain: str
    label: Optional[str]
    verdict: str           # "ready", "pending", "broken", "unknown"
    pending_until: Optional[int]
    status: int            # dnsvet.Status; OK when the check ran
    error: Optional[str]   # why the check could not run
    findings: List[Finding]
    records: List[Record]
    stats: dict            # queries, rtts, elapsed_ms
    json: str = field(repr=False)

    @property
    def ok(self):
        """True when the check ran (whatever it found)."""
        return self.status == 0

    def to_json(self, indent=None):
        """The dnsvet.report/1 document; indent as for json.dumps."""
        if indent is None:
            return self.json
        return json.dumps(json.loads(self.json), indent=indent)

    def to_dict(self):
        return json.loads(self.json)


def _node_json(node):
    if not node:
        return None
    out = _lib.c_void_p()
    if lib.dnsvet_node_to_json(node, 0, _lib.ctypes.byref(out)) != 0:
        return None
    return json.loads(_lib.take_string(out.value))


def _finding(f):
    expires = lib.dnsvet_finding_expires(f)
    return Finding(
        rule=text(lib.dnsvet_finding_rule(f)),
        severity=text(lib.dnsvet_severity_str(lib.dnsvet_finding_severity(f))),
        title=text(lib.dnsvet_finding_title(f)),
        message=text(lib.dnsvet_finding_message(f)),
        fix=text(lib.dnsvet_finding_fix(f)),
        subject=Subject(text(lib.dnsvet_finding_subject_name(f)),
                        text(lib.dnsvet_finding_subject_type(f))),
        evidence=_node_json(lib.dnsvet_finding_evidence(f)),
        expires=expires or None)


def from_c(rep):
    """Copies the C report rep into a Report. Does not free rep."""
    findings = []
    flist = lib.dnsvet_report_findings(rep)
    if flist:
        for i in range(lib.dnsvet_finding_list_count(flist)):
            findings.append(_finding(lib.dnsvet_finding_list_at(flist, i)))
    records = []
    rr = _lib.ReportRecord()
    for i in range(lib.dnsvet_report_record_count(rep)):
        if lib.dnsvet_report_record_at(rep, i, _lib.ctypes.byref(rr)) != 0:
            break
        records.append(Record(text(rr.name), text(rr.type), text(rr.value), text(rr.role),
                              bool(rr.required), text(lib.dnsvet_record_state_str(rr.state)),
                              text(rr.seen)))
    st = _lib.ReportStats()
    lib.dnsvet_report_stats_get(rep, _lib.ctypes.byref(st))
    out = _lib.c_void_p()
    doc = None
    if lib.dnsvet_report_to_json(rep, 0, _lib.ctypes.byref(out)) == 0:
        doc = _lib.take_string(out.value)
    pending = lib.dnsvet_report_pending_until(rep)
    return Report(
        domain=text(lib.dnsvet_report_domain(rep)),
        label=text(lib.dnsvet_report_label(rep)),
        verdict=text(lib.dnsvet_verdict_str(lib.dnsvet_report_verdict(rep))),
        pending_until=pending or None,
        status=lib.dnsvet_report_status(rep),
        error=text(lib.dnsvet_report_error(rep)),
        findings=findings,
        records=records,
        stats={"queries": st.queries, "rtts": st.rtts, "elapsed_ms": st.elapsed_ms},
        json=doc)
