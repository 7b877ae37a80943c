"""HTTP/1.1 response parser (RFC 9112), with the request parser's strictness.

A client reads the same few status lines and, within a second, the same header sections
(the server's Date changes once a second) response after response, so both are kept in
bounded caches of already-validated results, as the request parser does: a repeated status
line costs a lookup, a repeated section a lookup (its headers are a read-only view of the
cache's multidict, shared by the heads of those bytes). A cache hit is only
trusted for what the cached bytes alone decide; this parser's limits are checked on every
head and a head with any unseen part gets the full byte check first, so the outcome (and
which error comes first) never depends on what the caches hold. A whole head seen before
(status line and section, the usual answer repeated within a second) is found in one more
cache with everything it decides, so it costs one lookup and its ``ResponseHead``.
"""

from __future__ import annotations

from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import REASON_RE, STATUS_CODE_RE
from ._errors import (
    BadHttpMessage,
    BadStatusLine,
    HeaderFieldsTooLarge,
    HttpProcessingError,
    LineTooLong,
)
from ._events import Data, ResponseHead
from ._headers import (
    K_CONNECTION,
    K_CONTENT_ENCODING,
    K_CONTENT_LENGTH,
    K_TRANSFER_ENCODING,
    Specials,
    check_field_limits,
    check_head_bytes,
    parse_content_length,
    parse_fields,
    parse_transfer_encoding,
    token_set,
)
from ._limits import HttpLimits
from ._parser_base import BaseParser, Buffer, Event, ParserState, parse_http_version
from ._version import HttpVersion, HttpVersion10, HttpVersion11

__all__ = ("HttpResponseParser",)

_HEAD = ParserState.HEAD
_BODY_LENGTH = ParserState.BODY_LENGTH
_ERROR = ParserState.ERROR

# Validated status lines: (version, status, reason), by their bytes. Only lines of heads
# that passed the byte checks are stored; bounded, emptied when full.
_STATUS_LINES: dict[bytes, tuple[HttpVersion, int, str]] = {}
_STATUS_LINES_MAX: Final = 1024
_STATUS_LINE_CACHEABLE: Final = 512

#: What a header section decides for framing, found once per distinct section.
_Framing = tuple[
    "set[bytes] | None",  # Connection tokens (None: no Connection field), never mutated
    "list[bytes] | None",  # Transfer-Encoding values (None: no such field)
    "list[bytes] | None",  # Content-Length values (None: no such field)
    "str | None",  # Content-Encoding, lower case
    "int | None",  # the Content-Length, when there is no Transfer-Encoding
]
_NO_FRAMING: Final[_Framing] = (None, None, None, None, None)
_Section = tuple[tuple[tuple[bytes, bytes], ...], "CIMultiDict[str]", _Framing]

# Validated header sections (everything after the status line), by their bytes; only
# sections that parsed without error are stored. Their multidicts are the caches' own, never
# handed out: heads get read-only views of them, shared by every head of the same bytes.
_SECTIONS: dict[bytes, _Section] = {}
_SECTIONS_MAX: Final = 256
_SECTION_CACHEABLE: Final = 4096
_EMPTY_SECTION: Final[_Section] = ((), CIMultiDict(), _NO_FRAMING)

#: A head's ``ResponseHead`` fields, in order (its headers a read-only view).
_Fields = tuple[
    HttpVersion,
    int,  # status
    str,  # reason
    "CIMultiDictProxy[str]",
    tuple[tuple[bytes, bytes], ...],  # raw headers
    bool,  # keep-alive
    bool,  # chunked
    "int | None",  # Content-Length
    "str | None",  # Content-Encoding
    bool,  # upgrade
]
#: What ``_start_body`` takes after a head: chunked, the body's length (None: no body, or
#: not by length), whether it runs to the connection's end, its coding, upgrade.
_Body = tuple[bool, "int | None", bool, "str | None", bool]
_Decided = tuple[_Fields, _Body]
# Whole heads (without the final CRLFCRLF) that parsed without error, by their bytes, with
# the limits they were checked against, what they decide for a request method other than
# HEAD and CONNECT (which frame some answers differently) and the body size with which
# they make a whole response (-1: none does); bounded, emptied when full.
_HEADS: dict[bytes, tuple[HttpLimits, _Fields, _Body, int]] = {}
_HEADS_MAX: Final = 256
_HEAD_CACHEABLE: Final = 4096


def _parse_status_line(line: bytes) -> tuple[HttpVersion, int, str]:
    version_b, _, rest = line.partition(b" ")
    status_b, _sp, reason_b = rest.partition(b" ")
    version = parse_http_version(version_b, line)
    if STATUS_CODE_RE.fullmatch(status_b) is None or status_b[0] == 0x30:
        raise BadStatusLine(line.decode("latin-1"), "Invalid status code")
    if REASON_RE.fullmatch(reason_b) is None:
        raise BadStatusLine(line.decode("latin-1"), "Invalid reason phrase")
    return version, int(status_b), reason_b.decode("utf-8", "surrogateescape")


def _parse_section(lines: list[bytes], limits: HttpLimits, size: int) -> _Section:
    specials: Specials = []
    raw, decoded = parse_fields(lines, limits, specials, size)
    cl_values: list[bytes] | None = None
    te_values: list[bytes] | None = None
    conn_values: list[bytes] | None = None
    encoding: str | None = None
    for kind, value in specials:
        if kind == K_CONTENT_LENGTH:
            cl_values = [value] if cl_values is None else [*cl_values, value]
        elif kind == K_TRANSFER_ENCODING:
            te_values = [value] if te_values is None else [*te_values, value]
        elif kind == K_CONNECTION:
            conn_values = [value] if conn_values is None else [*conn_values, value]
        elif kind == K_CONTENT_ENCODING:
            encoding = value.decode("latin-1").lower() or None
        # K_UPGRADE: a response switches protocols by its status (101), not by this field
    connection = token_set(conn_values) if conn_values is not None else None
    length = parse_content_length(cl_values) if cl_values and not te_values else None
    return raw, CIMultiDict(decoded), (connection, te_values, cl_values, encoding, length)


class HttpResponseParser(BaseParser):
    """Parses responses; call ``set_request_method`` before each so bodiless ones are known."""

    __slots__ = ("_method",)

    def __init__(
        self,
        limits: HttpLimits | None = None,
        auto_decompress: bool = True,
        max_decompressed_size: int | None = None,
    ) -> None:
        super().__init__(limits, auto_decompress, max_decompressed_size)
        self._method = "GET"

    def set_request_method(self, method: str) -> None:
        """The method of the request the next response answers (HEAD has no body)."""
        self._method = method if method.isupper() else method.upper()

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse received bytes; returns the events they complete, in order."""
        if self._state is not _HEAD or type(data) is not bytes or self._buf:
            return BaseParser.feed(self, data)
        # The usual case: nothing buffered and a whole head in this chunk (often its whole
        # body too). The general path would find the same head end (no limit applies before
        # a head is complete); this skips its layers and hands it the rest.
        i = data.find(b"\r\n\r\n")
        if i < 0:
            return BaseParser.feed(self, data)
        events: list[Event] = []
        try:
            self._head(data[:i], events)
            pos = i + 4
            end = len(data)
            if pos < end:
                if (
                    self._state is _BODY_LENGTH
                    and self._remaining == end - pos
                    and self._decoder is None
                ):
                    # Exactly the body follows (a small response sent in one write).
                    events.append(Data(data[pos:]))
                    self._end_message(events)
                    return events
                pos = self._run(data, events, pos, 1)
        except HttpProcessingError as exc:
            self._state = _ERROR
            self._buf = bytearray()
            events.append(exc)
            return events
        if pos < len(data):
            self._buf += data[pos:]
        return events

    def feed_whole(self, data: bytes, max_body: int) -> tuple[ResponseHead, bytes] | None:
        """``data`` as one whole final response (a head seen before, then exactly its body
        of at most ``max_body`` bytes, which needs no decoding): its head and body.

        The usual small answer, in one read, without the events ``feed`` makes for it.
        ``None`` when ``data`` is anything else (nothing is parsed then: give it to ``feed``).
        """
        if self._state is not _HEAD or type(data) is not bytes or self._buf or self._scanned:
            return None
        i = data.find(b"\r\n\r\n")
        if i < 0:
            return None
        known = _HEADS.get(data[:i])
        method = self._method
        if known is None or known[0] is not self._limits or method == "HEAD" or method == "CONNECT":
            return None
        _, fields, body, whole = known
        size = len(data) - i - 4
        if whole != size or size > max_body:
            return None
        if size and body[3] is not None and self._auto_decompress:
            return None  # the body is to be decoded
        # What feed leaves after such a message: between messages, no body state.
        self._upgrade_after = False
        self._decoder = None
        return ResponseHead(*fields), data[i + 4 :] if size else b""

    def _parse_head(self, src: Buffer, pos: int, events: list[Event]) -> tuple[int, bool]:
        i = self._find_head_end(src, pos)
        if i < 0:
            return pos, False
        self._head(bytes(src[pos:i]), events)
        return i + 4, True

    def _head(self, head: bytes, events: list[Event]) -> None:
        """Parse one complete head (without its final CRLFCRLF) and start its body."""
        limits = self._limits
        method = self._method
        known = _HEADS.get(head)
        if known is not None and known[0] is limits and method != "HEAD" and method != "CONNECT":
            _, fields, body, _ = known
        else:
            fields, body = self._decide(head, limits, method)
        events.append(ResponseHead(*fields))
        self._start_body(events, *body)

    def _decide(self, head: bytes, limits: HttpLimits, method: str) -> _Decided:
        """Check and parse a head not found whole in the cache (its parts may be)."""
        lines = head.split(b"\r\n")
        line = lines[0]
        status_line = _STATUS_LINES.get(line)
        section: _Section | None
        if len(lines) > 1:
            section_b = head[len(line) + 2 :]
            section = _SECTIONS.get(section_b)
        else:
            section_b = b""
            section = _EMPTY_SECTION
        # Cached parts come from heads that passed the byte check: only a head with an
        # unseen part needs it (and gets it first, so the errors keep their order).
        if status_line is None or section is None:
            check_head_bytes(head, len(lines))
        if len(line) > limits.max_line_size:
            raise LineTooLong("status line", limits.max_line_size, len(line), code=400)
        if status_line is None:
            status_line = _parse_status_line(line)
            if len(line) <= _STATUS_LINE_CACHEABLE:
                if len(_STATUS_LINES) >= _STATUS_LINES_MAX:
                    _STATUS_LINES.clear()
                _STATUS_LINES[line] = status_line
        version, status, reason = status_line
        del lines[0]
        if lines:
            size = len(section_b)
            if size > limits.max_headers:
                raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
            if section is None:
                section = _parse_section(lines, limits, size)
                if size <= _SECTION_CACHEABLE:
                    if len(_SECTIONS) >= _SECTIONS_MAX:
                        _SECTIONS.clear()
                    _SECTIONS[section_b] = section
            elif size > limits.max_field_size or len(lines) > limits.max_header_count:
                check_field_limits(lines, limits, size)
        assert section is not None
        raw, template, framing = section
        headers = CIMultiDictProxy(template)  # read-only: the multidict is the cache's own
        fields, body = decided = _frame(version, status, reason, headers, raw, framing, method)
        if len(head) <= _HEAD_CACHEABLE and method != "HEAD" and method != "CONNECT":
            if len(_HEADS) >= _HEADS_MAX:
                _HEADS.clear()
            chunked, body_length, to_eof, _, upgrade = body
            final = status >= 200 and not (chunked or upgrade or to_eof)
            _HEADS[head] = (limits, fields, body, (body_length or 0) if final else -1)
        return decided


def _frame(
    version: HttpVersion,
    status: int,
    reason: str,
    headers: CIMultiDictProxy[str],
    raw: tuple[tuple[bytes, bytes], ...],
    framing: _Framing,
    method: str,
) -> _Decided:
    """What a head's parts decide together for the request ``method``: connection, body."""
    connection, te_values, cl_values, encoding, cl_length = framing
    if version is HttpVersion11:
        keep_alive = connection is None or b"close" not in connection
    else:
        keep_alive = connection is not None and b"keep-alive" in connection

    upgrade = status == 101 or (method == "CONNECT" and 200 <= status < 300)
    chunked = False
    length: int | None = None
    to_eof = False
    if te_values:
        if cl_values:
            raise BadHttpMessage("Content-Length and Transfer-Encoding together")
        if version is HttpVersion10:
            raise BadHttpMessage("Transfer-Encoding is not allowed in HTTP/1.0")
        codings = parse_transfer_encoding(te_values)
        if codings[-1] == b"chunked":
            if b"chunked" in codings[:-1]:
                raise BadHttpMessage("chunked applied more than once")
            chunked = True
        else:
            # RFC 9112 6.3 item 4: chunked not last in a response: read until close.
            to_eof = True
    elif cl_values:
        length = cl_length
    else:
        to_eof = True
    no_body = method == "HEAD" or status < 200 or status in (204, 304) or upgrade
    if no_body:
        chunked, to_eof = False, False
        body_length = None
    else:
        body_length = length
        if to_eof:
            keep_alive = False
    fields = (version, status, reason, headers, raw, keep_alive, chunked, length, encoding, upgrade)
    return fields, (chunked, body_length, to_eof, encoding, upgrade)
