"""Loading libdnsvet and declaring the C prototypes the binding uses.

The structures mirror include/dnsvet/session.h, report.h and expect.h; tests/test_layout.py
compares their sizes and offsets with what the C compiler says, so a header change that the
binding missed fails a test instead of corrupting memory.
"""

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_int,
                    c_int64, c_long, c_size_t, c_uint, c_uint64, c_void_p)

SONAME = "libdnsvet.so.0"


def _candidates():
    env = os.environ.get("DNSVET_LIBRARY")
    if env:
        # An explicit choice is the only one tried: a wrong path must not fall back quietly.
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    found = []
    # Run from a source checkout: the conventional build directory (make build).
    path = os.path.join(root, "build", "core", SONAME)
    if os.path.exists(os.path.join(root, "include", "dnsvet", "session.h")) and \
            os.path.exists(path):
        found.append(path)
    found.append(SONAME)
    return found


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("dnsvet: cannot load the dnsvet library (set DNSVET_LIBRARY to the "
                      "path of libdnsvet.so): " + "; ".join(errors))


lib, path = _load()
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
libc.free.argtypes = [c_void_p]
libc.free.restype = None

LOG_CB = CFUNCTYPE(None, c_void_p, c_int, c_char_p)
DONE_CB = CFUNCTYPE(None, c_void_p, c_void_p, c_void_p)


class SessionOpts(Structure):
    _fields_ = [
        ("root_hints_file", c_char_p),
        ("resolvers", c_char_p),
        ("resolvers_file", c_char_p),
        ("builtin_rules_dir", c_char_p),
        ("rules_dirs", POINTER(c_char_p)),
        ("n_rules_dirs", c_size_t),
        ("select", c_char_p),
        ("timeout_ms", c_uint),
        ("query_budget", c_uint),
        ("max_per_server", c_uint),
        ("qps", c_uint),
        ("max_checks", c_uint),
        ("lab", c_int),
        ("rule_instruction_budget", c_uint64),
        ("rule_memory_cap", c_size_t),
        ("now", c_long),  # time_t on Linux
        ("log", LOG_CB),
        ("log_user", c_void_p),
    ]


class ExpectError(Structure):
    _fields_ = [
        ("field", c_char * 96),
        ("message", c_char * 512),
        ("line", c_uint),
        ("column", c_uint),
    ]


class ReportRecord(Structure):
    _fields_ = [
        ("name", c_char_p),
        ("type", c_char_p),
        ("value", c_char_p),
        ("role", c_char_p),
        ("required", c_int),
        ("state", c_int),
        ("seen", c_char_p),
    ]


class ReportStats(Structure):
    _fields_ = [
        ("queries", c_uint),
        ("rtts", c_uint),
        ("elapsed_ms", c_double),
    ]


class SessionStats(Structure):
    _fields_ = [
        ("checks", c_uint64),
        ("queries", c_uint64),
        ("cache_hits", c_uint64),
    ]


def _proto(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


P = c_void_p
ERRBUF = POINTER(c_char)  # a ctypes.create_string_buffer

_proto("dnsvet_status_str", c_char_p, c_int)
_proto("dnsvet_version", c_char_p)
_proto("dnsvet_verdict_str", c_char_p, c_int)
_proto("dnsvet_record_state_str", c_char_p, c_int)
_proto("dnsvet_severity_str", c_char_p, c_int)

_proto("dnsvet_session_opts_default", None, POINTER(SessionOpts))
_proto("dnsvet_session_new", c_int, POINTER(SessionOpts), POINTER(P), ERRBUF, c_size_t)
_proto("dnsvet_session_free", None, P)
_proto("dnsvet_session_submit", c_int, P, P, DONE_CB, P)
_proto("dnsvet_session_fd", c_int, P)
_proto("dnsvet_session_next_timeout_ms", c_int, P)
_proto("dnsvet_session_process", c_int, P, c_int)
_proto("dnsvet_session_pending", c_size_t, P)
_proto("dnsvet_session_run", c_int, P)
_proto("dnsvet_session_check", c_int, P, P, POINTER(P))
_proto("dnsvet_session_stats_get", None, P, POINTER(SessionStats))

_proto("dnsvet_check_new", c_int, c_char_p, POINTER(P), ERRBUF, c_size_t)
_proto("dnsvet_check_free", None, P)
_proto("dnsvet_check_expect", P, P)
_proto("dnsvet_check_set_ses_identity", c_int, P, c_char_p, c_size_t, ERRBUF, c_size_t)
_proto("dnsvet_check_set_record", c_int, P, c_char_p)
_proto("dnsvet_check_set_replay", c_int, P, c_char_p)
_proto("dnsvet_check_set_label", c_int, P, c_char_p)

_EE = POINTER(ExpectError)
_proto("dnsvet_expect_set_region", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_set_signing_zone", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_add_dkim_token", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_set_byodkim_selector", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_set_mail_from", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_set_legacy_token", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_set_dmarc", None, P, c_int)
_proto("dnsvet_expect_add_edited_ns", c_int, P, c_char_p, _EE)
_proto("dnsvet_expect_add_record", c_int, P, c_char_p, c_char_p, c_char_p, _EE)

_proto("dnsvet_report_free", None, P)
_proto("dnsvet_report_domain", c_char_p, P)
_proto("dnsvet_report_label", c_char_p, P)
_proto("dnsvet_report_verdict", c_int, P)
_proto("dnsvet_report_pending_until", c_int64, P)
_proto("dnsvet_report_status", c_int, P)
_proto("dnsvet_report_error", c_char_p, P)
_proto("dnsvet_report_findings", P, P)
_proto("dnsvet_report_record_count", c_size_t, P)
_proto("dnsvet_report_record_at", c_int, P, c_size_t, POINTER(ReportRecord))
_proto("dnsvet_report_stats_get", None, P, POINTER(ReportStats))
_proto("dnsvet_report_to_json", c_int, P, c_int, POINTER(c_void_p))

_proto("dnsvet_finding_list_count", c_size_t, P)
_proto("dnsvet_finding_list_at", P, P, c_size_t)
_proto("dnsvet_finding_rule", c_char_p, P)
_proto("dnsvet_finding_severity", c_int, P)
_proto("dnsvet_finding_title", c_char_p, P)
_proto("dnsvet_finding_message", c_char_p, P)
_proto("dnsvet_finding_fix", c_char_p, P)
_proto("dnsvet_finding_subject_name", c_char_p, P)
_proto("dnsvet_finding_subject_type", c_char_p, P)
_proto("dnsvet_finding_evidence", P, P)
_proto("dnsvet_finding_expires", c_int64, P)

_proto("dnsvet_node_to_json", c_int, P, c_int, POINTER(c_void_p))


def take_string(ptr):
    """A malloc'd C string as str; frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        libc.free(ptr)


def text(b):
    return None if b is None else b.decode("utf-8", "replace")
