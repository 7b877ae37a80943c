"""HTTP/1.1 request parser (RFC 9112), sans-IO: bytes in, events out."""

from __future__ import annotations

from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import ABSOLUTE_FORM_RE, AUTHORITY_FORM_RE, HOST_RE, TARGET_RE, TOKEN_RE, VERSION_RE
from ._errors import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    HeaderFieldsTooLarge,
    HttpVersionNotSupported,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
)
from ._events import RequestHead
from ._headers import (
    K_CONNECTION,
    K_CONTENT_ENCODING,
    K_CONTENT_LENGTH,
    K_EXPECT,
    K_HOST,
    K_TRANSFER_ENCODING,
    K_UPGRADE,
    Specials,
    check_head_bytes,
    parse_content_length,
    parse_fields,
    parse_transfer_encoding,
    request_is_chunked,
    token_set,
)
from ._parser_base import BaseParser, Buffer, Event
from ._version import HttpVersion10, HttpVersion11

__all__ = ("HttpRequestParser",)

_KNOWN_METHODS: Final[dict[bytes, str]] = {
    m.encode(): m
    for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
}
_METHOD_CACHE: dict[bytes, str] = dict(_KNOWN_METHODS)
_METHOD_CACHE_MAX: Final = 256


class HttpRequestParser(BaseParser):
    """Parses a stream of pipelined requests; see ``feed`` and ``feed_eof``.

    Every split of the input gives the same heads and the same body bytes.
    """

    __slots__ = ()

    _line_too_long_code = 414
    _line_name = "request line"

    def _parse_head(self, src: Buffer, pos: int, events: list[Event]) -> tuple[int, bool]:
        # RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request-line.
        while src[pos : pos + 2] == b"\r\n":
            pos += 2
        if pos >= len(src) or src[pos:] == b"\r":
            return pos, False
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
            raise LineTooLong("request line", limits.max_line_size, len(line), code=414)
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

        if version_b == b"HTTP/1.1":
            version = HttpVersion11
        elif version_b == b"HTTP/1.0":
            version = HttpVersion10
        elif VERSION_RE.fullmatch(version_b) is not None:
            raise HttpVersionNotSupported(version_b.decode("ascii"))
        else:
            raise BadStatusLine(line.decode("latin-1"), "Invalid HTTP version")

        if TARGET_RE.fullmatch(target_b) is None:
            raise InvalidURLError("Invalid request target")
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
        target = target_b.decode("ascii")

        specials: Specials = []
        if len(lines) > 1:
            del lines[0]
            size = sum(map(len, lines)) + 2 * len(lines) - 2
            if size > limits.max_headers:
                raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
            raw, decoded = parse_fields(lines, limits, specials, size)
        else:
            raw, decoded = (), []
        headers = CIMultiDictProxy(CIMultiDict(decoded))
        self._finish_head(method, target, version, headers, raw, specials, events)

    def _finish_head(
        self,
        method: str,
        target: str,
        version: tuple[int, int],
        headers: CIMultiDictProxy[str],
        raw: tuple[tuple[bytes, bytes], ...],
        specials: Specials,
        events: list[Event],
    ) -> None:
        cl_values: list[bytes] = []
        te_values: list[bytes] = []
        conn_values: list[bytes] = []
        upgrade_values: list[bytes] = []
        hosts: list[bytes] = []
        encoding: str | None = None
        expect = False
        for kind, value in specials:
            if kind == K_CONTENT_LENGTH:
                cl_values.append(value)
            elif kind == K_TRANSFER_ENCODING:
                te_values.append(value)
            elif kind == K_CONNECTION:
                conn_values.append(value)
            elif kind == K_HOST:
                hosts.append(value)
            elif kind == K_UPGRADE:
                upgrade_values.append(value)
            elif kind == K_CONTENT_ENCODING:
                encoding = value.decode("latin-1").lower() or None
            elif kind == K_EXPECT:
                expect = value.lower() == b"100-continue"

        # RFC 9112 3.2: exactly one valid Host in HTTP/1.1; at most one valid one in 1.0.
        if len(hosts) != 1:
            if hosts:
                raise InvalidHeader("Host", "Duplicate Host header")
            if version == HttpVersion11:
                raise InvalidHeader("Host", "Missing Host header")
        elif HOST_RE.fullmatch(hosts[0]) is None:
            raise InvalidHeader("Host", "Invalid Host header")

        chunked = False
        length: int | None = None
        if te_values:
            if version == HttpVersion10:
                raise BadHttpMessage("Transfer-Encoding is not allowed in HTTP/1.0")
            if cl_values:
                raise BadHttpMessage("Content-Length and Transfer-Encoding together")
            chunked = request_is_chunked(parse_transfer_encoding(te_values))
        elif cl_values:
            length = parse_content_length(cl_values)

        connection = token_set(conn_values) if conn_values else None
        if version == HttpVersion11:
            keep_alive = connection is None or b"close" not in connection
        else:
            keep_alive = connection is not None and b"keep-alive" in connection
            expect = False
        upgrade = method == "CONNECT" or (
            connection is not None
            and b"upgrade" in connection
            and b"websocket" in token_set(upgrade_values)
        )
        events.append(
            RequestHead(
                method,
                target,
                version,  # type: ignore[arg-type]
                headers,
                raw,
                keep_alive,
                upgrade,
                chunked,
                length,
                encoding,
                expect,
            )
        )
        self._start_body(events, chunked, length, False, encoding, upgrade)
