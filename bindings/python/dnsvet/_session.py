"""Sessions, checks and audits over the C session API (include/dnsvet/session.h)."""

import collections
import ctypes
import json
import logging
import os
import threading

from . import _lib, _report
from ._errors import Error, Status
from ._lib import lib

log = logging.getLogger("dnsvet")
_LEVELS = [logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG]

SESSION_OPTIONS = ("root_hints", "resolvers", "resolvers_file", "builtin_rules_dir",
                   "rules_dirs", "select", "timeout_ms", "query_budget", "max_per_server",
                   "qps", "max_checks", "lab", "rule_instruction_budget", "rule_memory_cap",
                   "now")
CHECK_OPTIONS = ("ses_identity", "dkim_tokens", "region", "signing_zone", "mail_from",
                 "byodkim_selector", "legacy_token", "dmarc", "edited_ns", "records",
                 "label", "record", "replay")


def _b(value, what):
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, bytes):
        raise TypeError(f"{what}: expected a string, not {type(value).__name__}")
    # C strings end at the first NUL: refuse rather than check a truncated name
    if b"\0" in value:
        raise Error(Status.INVALID, f"{what}: contains a NUL character")
    return value


def _errbuf():
    return ctypes.create_string_buffer(1024)


def _errtext(buf):
    return buf.value.decode("utf-8", "replace") or None


def _expect_call(fn, check, *args):
    err = _lib.ExpectError()
    st = fn(lib.dnsvet_check_expect(check), *args, ctypes.byref(err))
    if st != 0:
        raise Error(st, err.message.decode("utf-8", "replace") or None)


def _ses_json(value):
    """ses_identity: the JSON text, a dict as json.loads gives it, or a path to a file."""
    if isinstance(value, dict):
        return json.dumps(value).encode()
    if isinstance(value, os.PathLike):
        with open(value, "rb") as f:
            return f.read()
    return _b(value, "ses_identity")


def _build_check(domain, opts):
    """A new C check for domain with the CHECK_OPTIONS in opts; caller owns it."""
    unknown = set(opts) - set(CHECK_OPTIONS)
    if unknown:
        raise TypeError("unknown check option(s): " + ", ".join(sorted(unknown)))
    buf = _errbuf()
    check = ctypes.c_void_p()
    st = lib.dnsvet_check_new(_b(domain, "domain"), ctypes.byref(check), buf, len(buf))
    if st != 0:
        raise Error(st, _errtext(buf))
    check = check.value
    try:
        _fill_check(check, opts)
    except BaseException:
        lib.dnsvet_check_free(check)
        raise
    return check


def _fill_check(check, o):
    if o.get("ses_identity") is not None:
        text = _ses_json(o["ses_identity"])
        buf = _errbuf()
        st = lib.dnsvet_check_set_ses_identity(check, text, len(text), buf, len(buf))
        if st != 0:
            raise Error(st, _errtext(buf))
    if o.get("region") is not None:
        _expect_call(lib.dnsvet_expect_set_region, check, _b(o["region"], "region"))
    if o.get("signing_zone") is not None:
        _expect_call(lib.dnsvet_expect_set_signing_zone, check,
                     _b(o["signing_zone"], "signing_zone"))
    tokens = o.get("dkim_tokens") or []
    if isinstance(tokens, (str, bytes)):
        raise TypeError("dkim_tokens: expected a list of tokens, not a string")
    for tok in tokens:
        _expect_call(lib.dnsvet_expect_add_dkim_token, check, _b(tok, "dkim_tokens"))
    for key, fn in (("byodkim_selector", lib.dnsvet_expect_set_byodkim_selector),
                    ("mail_from", lib.dnsvet_expect_set_mail_from),
                    ("legacy_token", lib.dnsvet_expect_set_legacy_token)):
        if o.get(key) is not None:
            _expect_call(fn, check, _b(o[key], key))
    if o.get("dmarc") is not None:
        lib.dnsvet_expect_set_dmarc(lib.dnsvet_check_expect(check), 1 if o["dmarc"] else 0)
    for ns in o.get("edited_ns") or []:
        _expect_call(lib.dnsvet_expect_add_edited_ns, check, _b(ns, "edited_ns"))
    for rec in o.get("records") or []:
        if isinstance(rec, dict):
            rec = (rec.get("name"), rec.get("type"), rec.get("value"))
        name, rtype, value = rec
        _expect_call(lib.dnsvet_expect_add_record, check, _b(name, "records.name"),
                     _b(rtype, "records.type"), _b(value, "records.value"))
    for key, fn in (("label", lib.dnsvet_check_set_label),
                    ("record", lib.dnsvet_check_set_record),
                    ("replay", lib.dnsvet_check_set_replay)):
        if o.get(key) is not None:
            st = fn(check, _b(o[key], key))
            if st != 0:
                raise Error(st, f"{key}: " + _lib.text(lib.dnsvet_status_str(st)))


def _request(item):
    """An audit item: a domain name, or a dict with 'domain' and check options."""
    if isinstance(item, (str, bytes)):
        return item, {}
    if isinstance(item, dict):
        opts = dict(item)
        try:
            domain = opts.pop("domain")
        except KeyError:
            raise TypeError("audit request without a 'domain'") from None
        return domain, opts
    raise TypeError(f"audit request: expected a domain or a dict, not {type(item).__name__}")


class Session:
    """Shared state for many checks: query engine, probe cache, root hints, resolvers and
    compiled rules. Belongs to the thread that created it (one session per thread).

    Options: root_hints (named.root file), resolvers ("8.8.8.8, 1.1.1.1" or "none"),
    resolvers_file, builtin_rules_dir, rules_dirs (list), select ("ses and not dmarc"),
    timeout_ms, query_budget, max_per_server, qps, max_checks, lab (bool),
    rule_instruction_budget, rule_memory_cap, now (Unix time, for tests).
    Library messages go to the "dnsvet" logger."""

    def __init__(self, **opts):
        unknown = set(opts) - set(SESSION_OPTIONS)
        if unknown:
            raise TypeError("unknown session option(s): " + ", ".join(sorted(unknown)))
        self._thread = threading.get_ident()
        self._ptr = None
        self._done = collections.deque()
        # The C side keeps pointers to these: they live as long as the session.
        self._log_cb = _lib.LOG_CB(self._on_log)
        self._done_cb = _lib.DONE_CB(self._on_done)
        self._keep = []
        c = _lib.SessionOpts()
        lib.dnsvet_session_opts_default(ctypes.byref(c))
        for key, cname in (("root_hints", "root_hints_file"), ("resolvers", "resolvers"),
                           ("resolvers_file", "resolvers_file"),
                           ("builtin_rules_dir", "builtin_rules_dir"), ("select", "select")):
            if opts.get(key) is not None:
                value = _b(opts[key], key)
                self._keep.append(value)
                setattr(c, cname, value)
        dirs = opts.get("rules_dirs") or []
        if isinstance(dirs, (str, bytes, os.PathLike)):
            dirs = [dirs]
        if dirs:
            arr = (ctypes.c_char_p * len(dirs))(*[_b(d, "rules_dirs") for d in dirs])
            self._keep.append(arr)
            c.rules_dirs = arr
            c.n_rules_dirs = len(dirs)
        for key in ("timeout_ms", "query_budget", "max_per_server", "qps", "max_checks",
                    "rule_instruction_budget", "rule_memory_cap", "now"):
            if opts.get(key) is not None:
                value = opts[key]
                if not isinstance(value, int) or value < 0:
                    raise TypeError(f"{key}: expected a non-negative integer")
                setattr(c, key, value)
        c.lab = 1 if opts.get("lab") else 0
        c.log = self._log_cb
        buf = _errbuf()
        ptr = ctypes.c_void_p()
        st = lib.dnsvet_session_new(ctypes.byref(c), ctypes.byref(ptr), buf, len(buf))
        if st != 0:
            raise Error(st, _errtext(buf))
        self._ptr = ptr.value

    # -- lifetime ----------------------------------------------------------------------

    def close(self):
        """Cancels unfinished checks and frees the session. Idempotent."""
        if self._ptr:
            self._own()
            lib.dnsvet_session_free(self._ptr)
            self._ptr = None
        while self._done:
            lib.dnsvet_report_free(self._done.popleft()[1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_ptr", None) and threading.get_ident() == self._thread:
            self.close()

    def _own(self):
        if threading.get_ident() != self._thread:
            raise Error(Status.STATE, "a dnsvet session belongs to the thread that created "
                        "it; create one session per thread")
        if not self._ptr:
            raise Error(Status.STATE, "the session is closed")

    # -- callbacks from C (inside process/run/check): no exceptions may escape ----------

    def _on_log(self, _user, level, message):
        try:
            log.log(_LEVELS[level] if 0 <= level < len(_LEVELS) else logging.DEBUG, "%s",
                    message.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - must not unwind through C
            pass

    def _on_done(self, _session, report, user):
        self._done.append((user, report))

    # -- blocking ----------------------------------------------------------------------

    def check(self, domain, **opts):
        """Runs one check to the end and returns its Report. Check options: ses_identity
        (JSON text, dict or path), dkim_tokens, region, signing_zone, mail_from,
        byodkim_selector, legacy_token, dmarc, edited_ns, records ([(name, type, value)]),
        label, record (path to save observations), replay (path to a recording).
        Raises dnsvet.Error when a value is rejected or the check could not run."""
        self._own()
        check = _build_check(domain, opts)
        rep = ctypes.c_void_p()
        st = lib.dnsvet_session_check(self._ptr, check, ctypes.byref(rep))
        if st != 0 and not rep.value:
            raise Error(st, f"{_dom(domain)}: the check could not run")
        report = self._take(rep.value)
        if not report.ok:
            raise Error(report.status, report.error)
        return report

    def _take(self, ptr):
        try:
            return _report.from_c(ptr)
        finally:
            lib.dnsvet_report_free(ptr)

    # -- asynchronous ------------------------------------------------------------------

    def submit(self, domain, **opts):
        """Starts a check; its Report comes out of process()/reports(). Returns a ticket
        (an int) that the finished report is paired with in process()."""
        self._own()
        check = _build_check(domain, opts)
        self._ticket = getattr(self, "_ticket", 0) + 1
        st = lib.dnsvet_session_submit(self._ptr, check, self._done_cb, self._ticket)
        if st != 0:
            raise Error(st)
        return self._ticket

    def fileno(self):
        """The fd to wait on for reading (selectors, asyncio's add_reader)."""
        self._own()
        return lib.dnsvet_session_fd(self._ptr)

    def next_timeout_ms(self):
        """Milliseconds until process() is due even without fd activity; -1: no timer."""
        self._own()
        return lib.dnsvet_session_next_timeout_ms(self._ptr)

    @property
    def pending(self):
        """Checks submitted and not finished."""
        self._own()
        return lib.dnsvet_session_pending(self._ptr)

    def process(self, max_wait_ms=0):
        """Does the work that is ready (waiting at most max_wait_ms, -1: until something
        happens) and returns [(ticket, Report)] for the checks that finished."""
        self._own()
        st = lib.dnsvet_session_process(self._ptr, int(max_wait_ms))
        out = []
        while self._done:
            ticket, ptr = self._done.popleft()
            out.append((ticket, self._take(ptr)))
        if st != 0:
            raise Error(st, "processing checks failed")
        return out

    def audit(self, requests, jobs=64):
        """Checks every request (a domain, or a dict with 'domain' and check options),
        keeping at most jobs in flight, and yields Reports as they finish. A check that
        could not run yields a report with .ok False and .error; a rejected request raises
        dnsvet.Error naming its domain before anything of it is sent."""
        self._own()
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        it = iter(requests)
        exhausted = False
        while True:
            while not exhausted and self.pending < jobs:
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                domain, opts = _request(item)
                self.submit(domain, **opts)
            if self.pending == 0 and not self._done:
                return
            for _ticket, report in self.process(-1 if self.pending else 0):
                yield report

    def stats(self):
        """Counters since the session was made: checks, queries, cache_hits."""
        self._own()
        s = _lib.SessionStats()
        lib.dnsvet_session_stats_get(self._ptr, ctypes.byref(s))
        return {"checks": s.checks, "queries": s.queries, "cache_hits": s.cache_hits}


def _dom(domain):
    return domain.decode() if isinstance(domain, bytes) else str(domain)


def _split(opts):
    sess = {k: v for k, v in opts.items() if k in SESSION_OPTIONS}
    rest = {k: v for k, v in opts.items() if k not in SESSION_OPTIONS}
    return sess, rest


def check(domain, **opts):
    """One check in a session of its own: session options (root_hints, resolvers, lab, ...)
    and check options (dkim_tokens, region, mail_from, ses_identity, ...) together."""
    sess, rest = _split(opts)
    with Session(**sess) as s:
        return s.check(domain, **rest)


def audit(requests, jobs=64, **opts):
    """Many checks in one session (session options in opts); yields Reports as they
    finish. See Session.audit."""
    with Session(**opts) as s:
        yield from s.audit(requests, jobs=jobs)
