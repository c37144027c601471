"""The ctypes structures match the C headers (sizes and field offsets)."""

import ctypes
import json
import os
import subprocess

import pytest

from dnsvet import _lib

STRUCTS = {
    "dnsvet_session_opts": _lib.SessionOpts,
    "dnsvet_expect_error": _lib.ExpectError,
    "dnsvet_report_record": _lib.ReportRecord,
    "dnsvet_report_stats": _lib.ReportStats,
    "dnsvet_session_stats": _lib.SessionStats,
}


@pytest.fixture(scope="module")
def layout():
    probe = os.environ.get("DNSVET_LAYOUT_PROBE")
    if not probe:
        pytest.fail("DNSVET_LAYOUT_PROBE (the layout_probe program) is not set")
    return json.loads(subprocess.run([probe], check=True, capture_output=True,
                                     text=True).stdout)


@pytest.mark.parametrize("name", sorted(STRUCTS))
def test_struct_layout(layout, name):
    cls = STRUCTS[name]
    c = layout[name]
    assert ctypes.sizeof(cls) == c["size"]
    py = {f[0]: getattr(cls, f[0]).offset for f in cls._fields_}
    assert py == c["offsets"]
