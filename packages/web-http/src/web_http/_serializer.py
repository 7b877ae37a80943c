"""Message heads to bytes, chunked encoding, HTTP dates and reason phrases."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Final

from ._abnf import TOKEN_RE
from ._version import HttpVersion, HttpVersion11

__all__ = (
    "serialize_response_head",
    "serialize_request_head",
    "ChunkedEncoder",
    "http_date",
    "reason_phrase",
    "Headers",
)

Headers = Iterable[tuple[str, str]] | Mapping[str, str]

_REASONS: Final[dict[int, str]] = {s.value: s.phrase for s in HTTPStatus}

# Names already known to be tokens: checking a name costs one set lookup after the first time.
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_MAX: Final = 4096


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` ("" for an unregistered code)."""
    return _REASONS.get(status, "")


def _check_name(name: str) -> None:
    if name in _GOOD_NAMES:
        return
    if not name.isascii() or TOKEN_RE.fullmatch(name.encode("ascii")) is None:
        raise ValueError(f"Invalid header name {name!r}")
    if len(_GOOD_NAMES) < _GOOD_NAMES_MAX:
        _GOOD_NAMES.add(name)


def _fields(first_line: str, headers: Headers, final: str) -> bytes:
    items: Iterable[tuple[str, str]]
    items = headers.items() if isinstance(headers, Mapping) else headers
    parts = [first_line]
    for name, value in items:
        _check_name(name)
        parts.append(f"{name}: {value}\r\n")
    parts.append(final)
    text = "".join(parts)
    # Each line we wrote holds exactly one CR and one LF: any extra one came from a value
    # (or the first line) and would split the message. NUL is refused as well.
    lines = len(parts)
    if text.count("\r") != lines or text.count("\n") != lines or "\x00" in text:
        raise ValueError("CR, LF or NUL in a header name, value or the first line")
    return text.encode("utf-8", "surrogateescape")


_STATUS_LINES: dict[tuple[HttpVersion, int, str], str] = {}


def serialize_response_head(
    status: int, reason: str, headers: Headers, version: HttpVersion = HttpVersion11
) -> bytes:
    """Status line, header fields and the empty line, as one bytes object."""
    key = (version, status, reason)
    line = _STATUS_LINES.get(key)
    if line is None:
        if not 100 <= status <= 999:
            raise ValueError(f"Invalid status code {status!r}")
        line = f"HTTP/{version[0]}.{version[1]} {status} {reason}\r\n"
        if len(_STATUS_LINES) < 1024 and line.count("\r") == 1 and line.count("\n") == 1:
            _STATUS_LINES[key] = line
    return _fields(line, headers, "\r\n")


def serialize_request_head(
    method: str, target: str, headers: Headers, version: HttpVersion = HttpVersion11
) -> bytes:
    """Request line, header fields and the empty line, as one bytes object."""
    if not method.isascii() or TOKEN_RE.fullmatch(method.encode("ascii")) is None:
        raise ValueError(f"Invalid method {method!r}")
    if not target or " " in target:
        raise ValueError(f"Invalid request target {target!r}")
    return _fields(f"{method} {target} HTTP/{version[0]}.{version[1]}\r\n", headers, "\r\n")


class ChunkedEncoder:
    """Frames body pieces with the chunked transfer coding (RFC 9112 7.1)."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done = False

    def encode(self, data: bytes | bytearray | memoryview) -> bytes:
        """One chunk; empty data gives b"" (an empty chunk would end the body)."""
        if self._done:
            raise RuntimeError("ChunkedEncoder.end() was already called")
        n = len(data)
        if not n:
            return b""
        return b"%x\r\n%b\r\n" % (n, bytes(data))

    def end(self, trailers: Headers | None = None) -> bytes:
        """The last chunk and optional trailer fields, ending the body."""
        if self._done:
            raise RuntimeError("ChunkedEncoder.end() was already called")
        self._done = True
        if not trailers:
            return b"0\r\n\r\n"
        return _fields("0\r\n", trailers, "\r\n")


_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_date_cache: tuple[int, str] = (-1, "")


def http_date(timestamp: float | None = None) -> str:
    """IMF-fixdate (RFC 9110 5.6.7) of ``timestamp`` (default now), cached per second."""
    global _date_cache
    sec = int(time.time() if timestamp is None else timestamp)
    cached = _date_cache
    if cached[0] == sec:
        return cached[1]
    t = time.gmtime(sec)
    text = (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )
    _date_cache = (sec, text)
    return text
