"""Headers no caller may send, each with words of the ``ValueError`` that refuses it: shared by
the ``default_headers=`` and the ``with_options(headers=)`` attacks, so both meet every one."""

from __future__ import annotations

BAD_HEADERS: list[tuple[dict[str, str], str]] = [
    ({"Authorization": "Bearer x"}, "must not set"),
    ({"authorization": "Bearer x"}, "must not set"),
    ({"AUTHORIZATION": "Bearer x"}, "must not set"),
    ({"host": "evil.example"}, "must not set"),
    ({"HOST": "evil.example"}, "must not set"),
    ({"hOsT": "evil"}, "must not set"),
    ({"X-A": "one\r\nX-Injected: 1"}, "CR, LF"),
    ({"X-A": "one\nX"}, "CR, LF"),
    ({"X-A": "a\rb"}, "CR, LF"),
    ({"X-A": "a\x00b"}, "a control"),
    ({"X-A": "caf\u00e9"}, "non-ASCII"),
    ({"X A": "v"}, "not a valid header name"),
    ({"X-A\r\n": "v"}, "not a valid header name"),
    ({"X\nB": "v"}, "not a valid header name"),
    ({"X:B": "v"}, "not a valid header name"),
    ({"": "v"}, "not a valid header name"),
    ({"X-\u00e9": "v"}, "not a valid header name"),
]
