"""dnsvet: why a domain's DNS setup fails Amazon SES verification.

    import dnsvet
    report = dnsvet.check("example.com", dkim_tokens=[...], region="eu-west-1")
    print(report.verdict)
    for f in report.findings:
        print(f.severity, f.rule, f.message, f.fix)

A thin layer over libdnsvet (the C library): the library is found through the
DNSVET_LIBRARY environment variable (a path to libdnsvet.so), else a source checkout's
build/ directory, else the installed libdnsvet.so.0.
"""

from ._lib import lib as _clib, path as library_path
from ._errors import Error, Status
from ._report import Finding, Record, Report, Subject
from ._session import Session, audit, check

__version__ = _clib.dnsvet_version().decode()

__all__ = ["Error", "Finding", "Record", "Report", "Session", "Status", "Subject", "audit",
           "check", "library_path"]
