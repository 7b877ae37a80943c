"""HTTP/1.1 request parser (RFC 9112), sans-IO: bytes in, events out.

Speed comes from doing each thing once: ``feed`` finds a whole head with one search when
nothing is buffered (the usual case), the head is split once, and repeated request lines
and field lines are looked up in bounded caches of already-validated lines instead of
being validated again. A cache hit is only trusted for what the line alone decides; the
limits of this parser are checked on every head, and a head with any unseen line gets the
full byte check first, so the outcome (and which error comes first) never depends on
what the caches hold.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import ABSOLUTE_FORM_RE, AUTHORITY_FORM_RE, TARGET_RE, TOKEN_RE
from ._errors import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    HeaderFieldsTooLarge,
    HttpProcessingError,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
)
from ._events import END_OF_MESSAGE, RequestHead
from ._headers import (
    K_CONNECTION,
    K_CONTENT_ENCODING,
    K_CONTENT_LENGTH,
    K_EXPECT,
    K_HOST,
    K_TRANSFER_ENCODING,
    K_UPGRADE,
    LINE_CACHE,
    FieldLine,
    check_field_limits,
    check_head_bytes,
    field_lines,
    parse_content_length,
    parse_transfer_encoding,
    request_is_chunked,
)
from ._limits import HttpLimits
from ._parser_base import BaseParser, Buffer, Event, ParserState, parse_http_version
from ._version import HttpVersion, HttpVersion10, HttpVersion11

__all__ = ("HttpRequestParser",)

_KNOWN_METHODS: Final[dict[bytes, str]] = {
    m.encode(): m
    for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
}
_METHOD_CACHE: dict[bytes, str] = dict(_KNOWN_METHODS)
_METHOD_CACHE_MAX: Final = 256

# Validated request lines: (method, target, version). A client asks for the same few URLs
# over and over, so a repeated line costs one dict lookup. Only lines of heads already
# checked for control bytes and bare CR/LF are stored; bounded, emptied when full.
_REQUEST_LINES: dict[bytes, tuple[str, str, HttpVersion]] = {}
_REQUEST_LINES_MAX: Final = 1024
_REQUEST_LINE_CACHEABLE: Final = 512

_EMPTY_HEADERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())
_NO_TOKENS: Final[frozenset[bytes]] = frozenset()
_kind_of = itemgetter(2)
_cached_line = LINE_CACHE.__getitem__

_HEAD = ParserState.HEAD
_ERROR = ParserState.ERROR
_UPGRADED = ParserState.UPGRADED


#: What a head's field lines decide, found once per distinct section (see ``_scan``).
_Scan = tuple[
    int,  # Host fields
    bool,  # the last Host value is valid
    "frozenset[bytes] | None",  # Connection tokens (None: no Connection field)
    frozenset[bytes],  # Upgrade tokens
    "list[bytes] | None",  # Content-Length values, never mutated
    "list[bytes] | None",  # Transfer-Encoding values, never mutated
    "str | None",  # Content-Encoding
    bool,  # Expect: 100-continue
]
_NO_FIELDS: Final[_Scan] = (0, False, None, frozenset(), None, None, None, False)
_Section = tuple[tuple[tuple[bytes, bytes], ...], "CIMultiDictProxy[str]", _Scan]

# Validated header sections (everything after the request line), by their bytes: a client
# sends the same fields request after request, so a repeated section costs a lookup instead
# of a line lookup per field, a zip, a case-folding multidict build and a scan of the special
# fields. Only sections that parsed without error are stored, and only after their lines
# passed the byte checks; this parser's limits are checked on every head. The heads of one
# section share its read-only ``CIMultiDictProxy`` (as every head without fields shares
# ``_EMPTY_HEADERS``): its multidict is the cache's own, never handed out, so nothing can
# change it. Bounded in count and size.
_SECTIONS: dict[bytes, _Section] = {}
_SECTIONS_MAX: Final = 256
_SECTION_CACHEABLE: Final = 4096

_Raw = tuple[tuple[bytes, bytes], ...]
#: ``RequestHead``'s fields, in its order: method, target, version, headers, raw headers,
#: keep-alive, upgrade, chunked, Content-Length, coding, 100-continue.
_Fields = tuple[
    str,
    str,
    HttpVersion,
    "CIMultiDictProxy[str]",
    _Raw,
    bool,
    bool,
    bool,
    "int | None",
    "str | None",
    bool,
]
#: A whole head parsed before: (request line size, section size, field count) for the limits,
#: its ``RequestHead`` fields, and whether it ends its message (no body, no upgrade).
_Head = tuple[tuple[int, int, int], _Fields, bool]

# Whole heads that parsed without error, by their bytes: a client repeating a request (the
# same URL, the same fields) costs one lookup, the facts its fields decide included. Only
# this parser's limits are checked again (the cached sizes against them); a head near one
# takes the full path, so the error, if any, is the one it finds.
_HEADS: dict[bytes, _Head] = {}
_HEADS_MAX: Final = 256
_HEAD_CACHEABLE: Final = _SECTION_CACHEABLE + _REQUEST_LINE_CACHEABLE


def _parse_section(
    head: bytes, lines: list[bytes], size: int, limits: HttpLimits, checked: bool
) -> _Section:
    """Parse the field lines of a head whose section is not cached (errors in line order)."""
    try:
        fields: list[FieldLine] | None = [*map(_cached_line, lines)]
    except KeyError:
        fields = None
        if not checked:
            check_head_bytes(head, len(lines) + 1)
    if size > limits.max_headers:
        raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
    if size > limits.max_field_size or len(lines) > limits.max_header_count:
        check_field_limits(lines, limits, size)
    if fields is None:
        fields = field_lines(lines)
    # the rows are FieldLine tuples of one fixed length: strict= would only cost time
    raw, decoded, _kinds, _tokens, _hosts = zip(*fields)  # noqa: B905
    return raw, CIMultiDictProxy(CIMultiDict(decoded)), _scan([*filter(_kind_of, fields)])


def _scan(specials: list[FieldLine]) -> _Scan:
    """The facts the framing rules need, from the fields a parser acts on, in order."""
    hosts = 0
    host_ok = False
    connection: frozenset[bytes] | None = None
    upgrade_tokens = _NO_TOKENS
    cl_values: list[bytes] | None = None  # lists made only when such a field exists
    te_values: list[bytes] | None = None
    encoding: str | None = None
    expect = False
    for field in specials:
        kind = field[2]
        if kind == K_HOST:
            hosts += 1
            host_ok = field[4]
        elif kind == K_CONNECTION:
            connection = field[3] if connection is None else connection | field[3]
        elif kind == K_CONTENT_LENGTH:
            if cl_values is None:
                cl_values = [field[0][1]]
            else:
                cl_values.append(field[0][1])
        elif kind == K_TRANSFER_ENCODING:
            if te_values is None:
                te_values = [field[0][1]]
            else:
                te_values.append(field[0][1])
        elif kind == K_UPGRADE:
            upgrade_tokens = upgrade_tokens | field[3]
        elif kind == K_CONTENT_ENCODING:
            encoding = field[0][1].decode("latin-1").lower() or None
        elif kind == K_EXPECT:
            expect = field[0][1].lower() == b"100-continue"
    return hosts, host_ok, connection, upgrade_tokens, cl_values, te_values, encoding, expect


def _parse_request_line(line: bytes) -> tuple[str, str, HttpVersion]:
    """Validate a request line (RFC 9112 3) and cache the result."""
    parts = line.split(b" ")
    if len(parts) != 3:
        raise BadStatusLine(line.decode("latin-1"), "Malformed request line")
    method_b, target_b, version_b = parts

    method = _METHOD_CACHE.get(method_b)
    if method is None:
        if TOKEN_RE.fullmatch(method_b) is None:
            raise BadHttpMethod(line.decode("latin-1"), "Invalid method")
        method = method_b.decode("ascii")
        if len(_METHOD_CACHE) < _METHOD_CACHE_MAX:
            _METHOD_CACHE[method_b] = method

    version = parse_http_version(version_b, line)

    if TARGET_RE.fullmatch(target_b) is None:
        raise InvalidURLError("Invalid request target")
    if b"#" in target_b:
        # RFC 9112 3.2: no form of request-target has a fragment (it stays in the client).
        raise InvalidURLError("Request target has a fragment")
    first = target_b[0]
    if method == "CONNECT":
        # RFC 9112 3.2.3: CONNECT takes authority-form, and only CONNECT does.
        if AUTHORITY_FORM_RE.fullmatch(target_b) is None:
            raise InvalidURLError("CONNECT needs an authority-form target (host:port)")
    elif first == 0x2F:  # "/" origin-form
        pass
    elif target_b == b"*":
        if method != "OPTIONS":
            raise InvalidURLError("Asterisk-form target is only for OPTIONS")
    elif ABSOLUTE_FORM_RE.fullmatch(target_b) is None:
        raise InvalidURLError("Invalid request target")
    info = (method, target_b.decode("ascii"), version)
    if len(line) <= _REQUEST_LINE_CACHEABLE:
        if len(_REQUEST_LINES) >= _REQUEST_LINES_MAX:
            _REQUEST_LINES.clear()
        _REQUEST_LINES[line] = info
    return info


class HttpRequestParser(BaseParser):
    """Parses a stream of pipelined requests; see ``feed`` and ``feed_eof``.

    Every split of the input gives the same heads and the same body bytes.
    """

    __slots__ = ()

    _line_too_long_code = 414
    _line_name = "request line"

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse received bytes; returns the events they complete, in order."""
        if self._state is not _HEAD or type(data) is not bytes or self._buf:
            return BaseParser.feed(self, data)
        # Fast path for the usual case: nothing buffered, bytes in, and whole heads (one, or
        # several pipelined bodiless ones) in this chunk. The general path would find the
        # same head ends (no limit applies before a head is complete); this one skips its
        # layers. Whatever is left (a body, a partial head, a leading empty line) goes to
        # the general path, from where this one stopped.
        events: list[Event] = []
        end = len(data)
        i = data.find(b"\r\n\r\n")
        if i == end - 4 and i > 0 and data[0] != 13:
            # the usual chunk: one whole head and nothing after it (what the loop below does
            # for it, minus its bookkeeping)
            try:
                self._head(data[:i], events)
            except HttpProcessingError as exc:
                self._state = _ERROR
                self._buf = bytearray()
                events.append(exc)
            return events
        pos = 0
        heads = 0
        max_heads = self._max_heads
        try:
            while True:  # i: where the head at pos ends
                if i <= pos or data[pos] == 13:
                    break
                self._head(data[pos:i], events)
                pos = i + 4
                heads += 1
                if pos == end or self._state is not _HEAD or heads == max_heads:
                    break
                i = data.find(b"\r\n\r\n", pos)
            if pos < end:
                pos = self._run(data, events, pos, heads)
        except HttpProcessingError as exc:
            self._state = _ERROR
            self._buf = bytearray()
            events.append(exc)
            return events
        if pos < end:
            self._buf += data[pos:]
        return events

    def _parse_head(self, src: Buffer, pos: int, events: list[Event]) -> tuple[int, bool]:
        # RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request-line.
        while src.startswith(b"\r\n", pos):
            pos += 2
        left = len(src) - pos  # (no src[pos:] here: a copy of the rest, per pipelined head)
        if left <= 0 or (left == 1 and src[pos] == 13):
            return pos, False
        i = self._find_head_end(src, pos)
        if i < 0:
            return pos, False
        self._head(bytes(src[pos:i]), events)
        return i + 4, True

    def _head(self, head: bytes, events: list[Event]) -> None:
        """Parse one complete head (without its final CRLFCRLF) and start its body."""
        known = _HEADS.get(head)
        if known is not None:
            # A head seen before, parsed without error: only this parser's limits are left
            # to check, and the fields parsing found are taken as they are.
            limits = self._limits
            line_len, size, count = known[0]
            if (
                line_len <= limits.max_line_size
                and size <= limits.max_headers
                and size <= limits.max_field_size
                and count <= limits.max_header_count
            ):
                fields = known[1]
                events.append(RequestHead(*fields))
                if known[2]:  # no body, no upgrade: what _start_body then _end_message do
                    events.append(END_OF_MESSAGE)
                    if self._scanned:
                        self._reset_head_scan()
                    return
            else:  # a limit may apply: the full path finds which, in its order
                known = None
        if known is None:
            fields = self._parse_new(head)
            events.append(RequestHead(*fields))
        upgrade = fields[6]
        chunked = fields[7]
        length = fields[8]
        if chunked or length:
            self._start_body(events, chunked, length, False, fields[9], upgrade)
        else:  # no body: what _start_body then _end_message do, minus what is already so
            events.append(END_OF_MESSAGE)
            if upgrade:
                self._upgrade_after = True
                self._state = _UPGRADED
            if self._scanned:
                self._reset_head_scan()

    def _parse_new(self, head: bytes) -> _Fields:
        """The full parse of a head not in ``_HEADS``; remembers it when it is clean."""
        limits = self._limits
        cut = head.find(b"\r\n")  # the head is split into lines only when not all cached
        line = head if cut < 0 else head[:cut]
        # A cached line (or field line) comes from a head that passed check_head_bytes and
        # is clean itself: when every line is cached the head needs no byte check, and the
        # errors come in the same order as with the checks done up front.
        info = _REQUEST_LINES.get(line)
        checked = info is None or len(line) > limits.max_line_size
        if info is None or checked:
            check_head_bytes(head, head.count(b"\r\n") + 1)
            if len(line) > limits.max_line_size:
                raise LineTooLong("request line", limits.max_line_size, len(line), code=414)
            info = _parse_request_line(line)
        method, target, version = info

        raw: tuple[tuple[bytes, bytes], ...]
        if cut >= 0:
            section = head[cut + 2 :]
            size = len(section)
            known = _SECTIONS.get(section)
            if known is None:
                known = _parse_section(head, section.split(b"\r\n"), size, limits, checked)
                if size <= _SECTION_CACHEABLE:
                    if len(_SECTIONS) >= _SECTIONS_MAX:
                        _SECTIONS.clear()
                    _SECTIONS[section] = known
            else:  # known clean bytes and lines; this parser's limits apply to every head
                if size > limits.max_headers:
                    raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
                # one field per line: a known section has len(raw) lines
                if size > limits.max_field_size or len(known[0]) > limits.max_header_count:
                    check_field_limits(section.split(b"\r\n"), limits, size)
            raw, headers, scan = known
        else:
            raw = ()
            headers = _EMPTY_HEADERS
            scan = _NO_FIELDS
        hosts, host_ok, connection, upgrade_tokens, cl_values, te_values, encoding, expect = scan

        # RFC 9112 3.2: exactly one valid Host in HTTP/1.1; at most one valid one in 1.0.
        if hosts != 1:
            if hosts:
                raise InvalidHeader("Host", "Duplicate Host header")
            if version is HttpVersion11:
                raise InvalidHeader("Host", "Missing Host header")
        elif not host_ok:
            raise InvalidHeader("Host", "Invalid Host header")

        chunked = False
        length: int | None = None
        if te_values:
            if version is HttpVersion10:
                raise BadHttpMessage("Transfer-Encoding is not allowed in HTTP/1.0")
            if cl_values:
                raise BadHttpMessage("Content-Length and Transfer-Encoding together")
            chunked = request_is_chunked(parse_transfer_encoding(te_values))
        elif cl_values:
            length = parse_content_length(cl_values)

        if version is HttpVersion11:
            keep_alive = connection is None or b"close" not in connection
        else:
            keep_alive = connection is not None and b"keep-alive" in connection
            expect = False
        # RFC 9110 7.8: a server MUST ignore Upgrade in an HTTP/1.0 request.
        upgrade = method == "CONNECT" or (
            version is HttpVersion11
            and connection is not None
            and b"upgrade" in connection
            and b"websocket" in upgrade_tokens
        )
        fields: _Fields = (
            method,
            target,
            version,
            headers,
            raw,
            keep_alive,
            upgrade,
            chunked,
            length,
            encoding,
            expect,
        )
        if len(head) <= _HEAD_CACHEABLE:
            if len(_HEADS) >= _HEADS_MAX:
                _HEADS.clear()
            bounds = (len(line), 0 if cut < 0 else size, len(raw))
            ends = not (chunked or length or upgrade)
            _HEADS[head] = (bounds, fields, ends)
        return fields
