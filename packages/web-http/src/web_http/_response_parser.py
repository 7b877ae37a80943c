"""HTTP/1.1 response parser (RFC 9112), with the request parser's strictness."""

from __future__ import annotations

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import REASON_RE, STATUS_CODE_RE, VERSION_RE
from ._errors import (
    BadHttpMessage,
    BadStatusLine,
    HeaderFieldsTooLarge,
    HttpVersionNotSupported,
    LineTooLong,
)
from ._events import ResponseHead
from ._headers import (
    K_CONNECTION,
    K_CONTENT_ENCODING,
    K_CONTENT_LENGTH,
    K_TRANSFER_ENCODING,
    K_UPGRADE,
    Specials,
    check_head_bytes,
    parse_content_length,
    parse_fields,
    parse_transfer_encoding,
    token_set,
)
from ._limits import HttpLimits
from ._parser_base import BaseParser, Buffer, Event
from ._version import HttpVersion, HttpVersion10, HttpVersion11

__all__ = ("HttpResponseParser",)


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
        self._method = method.upper()

    def _parse_head(self, src: Buffer, pos: int, events: list[Event]) -> tuple[int, bool]:
        i = self._find_head_end(src, pos)
        if i < 0:
            return pos, False
        head = bytes(src[pos:i])
        lines = head.split(b"\r\n")
        check_head_bytes(head, len(lines))
        self._head_from_lines(lines, events)
        return i + 4, True

    def _head_from_lines(self, lines: list[bytes], events: list[Event]) -> None:
        limits = self._limits
        line = lines[0]
        if len(line) > limits.max_line_size:
            raise LineTooLong("status line", limits.max_line_size, len(line), code=400)
        version_b, _, rest = line.partition(b" ")
        status_b, _sp, reason_b = rest.partition(b" ")
        if version_b == b"HTTP/1.1":
            version = HttpVersion11
        elif version_b == b"HTTP/1.0":
            version = HttpVersion10
        elif VERSION_RE.fullmatch(version_b) is not None:
            raise HttpVersionNotSupported(version_b.decode("ascii"))
        else:
            raise BadStatusLine(line.decode("latin-1"), "Invalid HTTP version")
        if STATUS_CODE_RE.fullmatch(status_b) is None or status_b[0] == 0x30:
            raise BadStatusLine(line.decode("latin-1"), "Invalid status code")
        if REASON_RE.fullmatch(reason_b) is None:
            raise BadStatusLine(line.decode("latin-1"), "Invalid reason phrase")
        status = int(status_b)
        reason = reason_b.decode("utf-8", "surrogateescape")

        specials: Specials = []
        del lines[0]
        if lines:
            size = sum(map(len, lines)) + 2 * len(lines) - 2
            if size > limits.max_headers:
                raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
            raw, decoded = parse_fields(lines, limits, specials, size)
        else:
            raw, decoded = (), []
        headers = CIMultiDictProxy(CIMultiDict(decoded))
        self._finish_head(version, status, reason, headers, raw, specials, events)

    def _finish_head(
        self,
        version: HttpVersion,
        status: int,
        reason: str,
        headers: CIMultiDictProxy[str],
        raw: tuple[tuple[bytes, bytes], ...],
        specials: Specials,
        events: list[Event],
    ) -> None:
        cl_values: list[bytes] = []
        te_values: list[bytes] = []
        conn_values: list[bytes] = []
        upgrade_values: list[bytes] = []
        encoding: str | None = None
        for kind, value in specials:
            if kind == K_CONTENT_LENGTH:
                cl_values.append(value)
            elif kind == K_TRANSFER_ENCODING:
                te_values.append(value)
            elif kind == K_CONNECTION:
                conn_values.append(value)
            elif kind == K_UPGRADE:
                upgrade_values.append(value)
            elif kind == K_CONTENT_ENCODING:
                encoding = value.decode("latin-1").lower() or None

        connection = token_set(conn_values) if conn_values else None
        if version == HttpVersion11:
            keep_alive = connection is None or b"close" not in connection
        else:
            keep_alive = connection is not None and b"keep-alive" in connection

        method = self._method
        upgrade = status == 101 or (method == "CONNECT" and 200 <= status < 300)
        chunked = False
        length: int | None = None
        to_eof = False
        if te_values:
            if cl_values:
                raise BadHttpMessage("Content-Length and Transfer-Encoding together")
            if version == HttpVersion10:
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
            length = parse_content_length(cl_values)
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
        events.append(
            ResponseHead(
                version,
                status,
                reason,
                headers,
                raw,
                keep_alive,
                chunked,
                length,
                encoding,
                upgrade,
            )
        )
        self._start_body(events, chunked, body_length, to_eof, encoding, upgrade)
