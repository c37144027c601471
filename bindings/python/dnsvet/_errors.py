"""dnsvet.Error: a C status with its message."""

import enum

from ._lib import lib, text


class Status(enum.IntEnum):
    """dnsvet_status (include/dnsvet/status.h)."""
    OK = 0
    NOMEM = 1
    INVALID = 2
    PARSE = 3
    IO = 4
    NOT_FOUND = 5
    LIMIT = 6
    STATE = 7
    LUA = 8
    INTERNAL = 9


def _status(code):
    try:
        return Status(code)
    except ValueError:
        return code


class Error(Exception):
    """A dnsvet call failed. .status is the dnsvet.Status, .message says what and where
    (the flag, the field, file:line:column, the domain)."""

    def __init__(self, status, message=None):
        self.status = _status(status)
        self.message = message or text(lib.dnsvet_status_str(int(status)))
        super().__init__(self.message)

    def __reduce__(self):
        return (type(self), (int(self.status), self.message))
