"""Message heads to bytes, chunked encoding, HTTP dates and reason phrases."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

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

# Validated "Name: " prefixes: checking a name costs one dict lookup after the first time.
_PREFIXES: dict[str, str] = {}
_PREFIXES_MAX: Final = 4096

# Validated field lines, "Name: value\r\n", by (name, value). A server sends the same few
# fields over and over (Content-Type, Server, Connection, the Date of this second...), so
# a repeated field costs one lookup and needs no CR/LF/NUL scan. Bounded in count and
# size; emptied when full, so unusual values only cost their own misses.
_LINES: dict[tuple[str, str], str] = {}
_LINES_MAX: Final = 4096
_LINE_CACHEABLE: Final = 512

_BAD_CHARS: Final = "CR, LF or NUL in a header name, value or the first line"


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` ("" for an unregistered code)."""
    return _REASONS.get(status, "")


def _prefix(name: str) -> str:
    prefix = _PREFIXES.get(name)
    if prefix is None:
        if not name.isascii() or TOKEN_RE.fullmatch(name.encode("ascii")) is None:
            raise ValueError(f"Invalid header name {name!r}")
        prefix = f"{name}: "
        if len(_PREFIXES) < _PREFIXES_MAX:
            _PREFIXES[name] = prefix
    return prefix


def _render(item: tuple[str, str]) -> str:
    """One field line, validated (name a token; no CR, LF or NUL) and cached."""
    name, value = item
    line = f"{_prefix(name)}{value}\r\n"
    if line.count("\r") != 1 or line.count("\n") != 1 or "\x00" in line:
        raise ValueError(_BAD_CHARS)
    if type(value) is str and len(line) <= _LINE_CACHEABLE:
        if len(_LINES) >= _LINES_MAX:
            _LINES.clear()
        _LINES[(name, value)] = line
    return line


def _fields(first_line: str, headers: Headers, final: str) -> bytes:
    """``first_line`` (already validated), the field lines and ``final``, encoded once."""
    items: Iterable[tuple[str, str]]
    if type(headers) is list or type(headers) is tuple:
        items = headers
    elif isinstance(headers, Mapping):
        items = headers.items()  # a view: can be iterated again below
    else:
        items = list(headers)
    get = _LINES.get
    try:
        lines = [get(item) or _render(item) for item in items]
    except TypeError:  # an unhashable pair (a list, say): render without the cache
        lines = [_render(tuple(item)) for item in items]
    return f"{first_line}{''.join(lines)}{final}".encode("utf-8", "surrogateescape")


def _check_first_line(line: str) -> None:
    if line.count("\r") != 1 or line.count("\n") != 1 or "\x00" in line:
        raise ValueError(_BAD_CHARS)


# Status lines by (status, reason), one table per version (HTTP/1.1 first: the usual one).
_STATUS_LINES: dict[HttpVersion, dict[tuple[int, str], str]] = {HttpVersion11: {}}
_STATUS_LINES_MAX: Final = 1024

# Header containers whose ``items()`` view is the pairs to send (checked by exact type: an
# ``isinstance`` against the Mapping ABC costs more than the rest of a lookup).
_MAPPINGS: Final = frozenset((CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, dict))


def serialize_response_head(
    status: int, reason: str, headers: Headers, version: HttpVersion = HttpVersion11
) -> bytes:
    """Status line, header fields and the empty line, as one bytes object."""
    lines = _STATUS_LINES.get(version)
    line = None if lines is None else lines.get((status, reason))
    if line is None:
        line = _status_line(status, reason, version)
    # _fields, inlined: this runs once per response.
    items: Iterable[tuple[str, str]]
    if type(headers) in _MAPPINGS:
        items = headers.items()  # type: ignore[union-attr]
    elif type(headers) is list or type(headers) is tuple:
        items = headers
    else:
        return _fields(line, headers, "\r\n")
    get = _LINES.get
    try:
        fields = [get(item) or _render(item) for item in items]
    except TypeError:
        return _fields(line, headers, "\r\n")
    return f"{line}{''.join(fields)}\r\n".encode("utf-8", "surrogateescape")


def _status_line(status: int, reason: str, version: HttpVersion) -> str:
    if not 100 <= status <= 999:
        raise ValueError(f"Invalid status code {status!r}")
    line = f"HTTP/{version[0]}.{version[1]} {status} {reason}\r\n"
    _check_first_line(line)
    lines = _STATUS_LINES.get(version)
    if lines is None:
        if len(_STATUS_LINES) >= 8:  # only a few versions exist; do not grow on odd ones
            return line
        lines = _STATUS_LINES[version] = {}
    if len(lines) < _STATUS_LINES_MAX:
        lines[(status, reason)] = line
    return line


# Validated request lines by (method, target, version): a client asks for the same few
# URLs over and over. Bounded, emptied when full.
_REQUEST_LINES: dict[tuple[str, str, HttpVersion], str] = {}
_REQUEST_LINES_MAX: Final = 1024
_REQUEST_LINE_CACHEABLE: Final = 512


# Whole request heads by (request line, field pairs): a test client repeats the same
# request, fields and all, so a repeated head costs one lookup instead of a lookup per
# field, a join and an encode. Only heads of plain str pairs are kept (their lines were
# validated on the way in); bounded in count and size, emptied when full.
_REQUEST_HEADS: dict[tuple[str, tuple[tuple[str, str], ...]], bytes] = {}
_REQUEST_HEADS_MAX: Final = 1024
_REQUEST_HEAD_CACHEABLE: Final = 2048


def serialize_request_head(
    method: str, target: str, headers: Headers, version: HttpVersion = HttpVersion11
) -> bytes:
    """Request line, header fields and the empty line, as one bytes object."""
    line = _REQUEST_LINES.get((method, target, version))
    if line is None:
        line = _request_line(method, target, version)
    if type(headers) is not list and type(headers) is not tuple:
        return _fields(line, headers, "\r\n")
    fields = tuple(headers)
    try:
        head = _REQUEST_HEADS.get((line, fields))
    except TypeError:  # an unhashable pair (a list, say)
        return _fields(line, fields, "\r\n")
    if head is None:
        head = _fields(line, fields, "\r\n")
        if len(head) <= _REQUEST_HEAD_CACHEABLE and all(
            type(item) is tuple and type(item[0]) is str and type(item[1]) is str for item in fields
        ):
            if len(_REQUEST_HEADS) >= _REQUEST_HEADS_MAX:
                _REQUEST_HEADS.clear()
            _REQUEST_HEADS[(line, fields)] = head
    return head


def _request_line(method: str, target: str, version: HttpVersion) -> str:
    if not method.isascii() or TOKEN_RE.fullmatch(method.encode("ascii")) is None:
        raise ValueError(f"Invalid method {method!r}")
    if not target or " " in target:
        raise ValueError(f"Invalid request target {target!r}")
    line = f"{method} {target} HTTP/{version[0]}.{version[1]}\r\n"
    _check_first_line(line)
    if type(method) is str and type(target) is str and len(line) <= _REQUEST_LINE_CACHEABLE:
        if len(_REQUEST_LINES) >= _REQUEST_LINES_MAX:
            _REQUEST_LINES.clear()
        _REQUEST_LINES[(method, target, version)] = line
    return line


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
