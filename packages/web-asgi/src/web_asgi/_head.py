"""From an ASGI scope to the ``RequestHead`` our request objects are built on, and back.

The ASGI server already parsed the request: the head is rebuilt from the scope without
re-validating what the server checked. Routing sees the path below ``root_path`` (the mount
point the server or a proxy strips), as it would behind a prefix-stripping proxy.
"""

from __future__ import annotations

import sys
from typing import Final
from urllib.parse import quote

from multidict import CIMultiDict, CIMultiDictProxy
from web_app import __version__ as _web_app_version
from web_http import HttpVersion, HttpVersion10, HttpVersion11, RequestHead, http_date

from ._types import Scope

__all__ = ("parse_head", "request_head", "scope_address")

_VERSIONS: Final = {
    "1.1": HttpVersion11,
    "1.0": HttpVersion10,
    "2": HttpVersion(2, 0),
    "2.0": HttpVersion(2, 0),
    "3": HttpVersion(3, 0),
    "3.0": HttpVersion(3, 0),
}
#: A websocket head as our handshake check expects it; the ASGI server already did the real
#: handshake (and, over HTTP/2, there is no key at all). Extensions are the server's business:
#: messages reach us whole and uncompressed.
_WS_DEFAULTS: Final = (
    (b"upgrade", b"websocket"),
    (b"connection", b"Upgrade"),
    (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    (b"sec-websocket-version", b"13"),
)
_WS_DROPPED: Final = frozenset((b"sec-websocket-extensions",)) | {n for n, _ in _WS_DEFAULTS}
_WS_DEFAULT_PAIRS: Final = tuple((n.decode(), v.decode()) for n, v in _WS_DEFAULTS)
#: Request fields the head itself needs.
_NOTED: Final = frozenset(
    (b"host", b"content-length", b"content-encoding", b"expect", b"transfer-encoding")
)
#: Connection-specific fields: the ASGI server frames and manages the connection itself
#: (HTTP/2 and HTTP/3 forbid them outright).
_HOP_BY_HOP: Final = frozenset(
    (b"connection", b"keep-alive", b"transfer-encoding", b"upgrade", b"proxy-connection")
)
#: The Server field web-app adds when a handler sets none.
_SERVER: Final = (
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} web/{_web_app_version}".encode()
)
_WS_ACCEPT_OWN: Final = frozenset(
    (b"sec-websocket-accept", b"sec-websocket-protocol", b"sec-websocket-extensions")
)


def scope_address(value: object) -> tuple[str, int] | None:
    """``client`` / ``server`` of a scope as ``(host, port)`` (Granian sends the port as str)."""
    if not isinstance(value, (list, tuple)) or len(value) < 2 or value[0] is None:
        return None
    try:
        return str(value[0]), int(value[1])
    except (TypeError, ValueError):
        return None


def _target(scope: Scope) -> str:
    root = scope.get("root_path") or ""
    raw = scope.get("raw_path")
    if raw:
        path = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else str(raw)
        quoted_root = quote(root, safe="/%!$&'()*+,;=:@~")
        if root and path.startswith(quoted_root):
            path = path[len(quoted_root) :] or "/"
    else:
        decoded: str = scope.get("path") or "/"
        if root and decoded.startswith(root):
            decoded = decoded[len(root) :] or "/"
        path = quote(decoded, safe="/%!$&'()*+,;=:@~")
    query = scope.get("query_string")
    if query:
        text = query.decode("latin-1") if isinstance(query, (bytes, bytearray)) else str(query)
        return f"{path}?{text}"
    return path


def request_head(scope: Scope, *, websocket: bool = False) -> RequestHead:
    """The ``RequestHead`` our parser would have produced for this scope.

    One pass over the header list: ASGI servers send lowercase names, so the few fields the
    head needs are picked on the way instead of looked up in the multidict.
    """
    raw: list[tuple[bytes, bytes]] = []
    pairs: list[tuple[str, str]] = []
    length: int | None = None
    encoding: str | None = None
    expect = False
    chunked = False
    has_host = False
    for name, value in scope.get("headers", ()):
        if websocket and name.lower() in _WS_DROPPED:
            continue
        text = value.decode("latin-1")
        if name in _NOTED:
            if name == b"host":
                has_host = True
            elif name == b"content-length":
                length = int(text) if text.isdigit() else None
            elif name == b"content-encoding":
                encoding = text.lower() or None
            elif name == b"transfer-encoding":
                chunked = True  # de-chunked by the server already; a body follows
            else:
                expect = text.lower() == "100-continue"
        raw.append((name, value))
        pairs.append((name.decode("latin-1"), text))
    if websocket:
        raw[:0] = _WS_DEFAULTS
        pairs[:0] = _WS_DEFAULT_PAIRS
    if not has_host:
        # HTTP/2 carries :authority, which not every server turns into Host.
        server = scope_address(scope.get("server"))
        if server is not None:
            host = f"{server[0]}:{server[1]}"
            raw.append((b"host", host.encode("latin-1")))
            pairs.append(("host", host))
    return RequestHead(
        method="GET" if websocket else scope.get("method", "GET"),
        target=_target(scope),
        version=_VERSIONS.get(scope.get("http_version", "1.1"), HttpVersion11),
        headers=CIMultiDictProxy(CIMultiDict(pairs)),
        raw_headers=tuple(raw),
        keep_alive=True,
        upgrade=websocket,
        chunked=chunked,
        content_length=length,
        encoding=encoding,
        expect_continue=expect,
    )


#: Parsed header lines of response heads (they repeat: content types, lengths, cookies
#: rarely): line -> ASGI field, or None for a field that is not passed on.
_FIELDS: dict[bytes, tuple[bytes, bytes] | None] = {}
_FIELDS_MAX: Final = 2048
_MISSING: Final = (b"", b"")
_date_text = ""
_date_line = b""


def _field(line: bytes) -> tuple[bytes, bytes] | None:
    name, _, value = line.partition(b":")
    name = name.lower()
    if name in _HOP_BY_HOP:
        return None
    value = value.strip()
    if name == b"server" and value == _SERVER:
        return None
    return name, value


def parse_head(head: bytes, *, websocket: bool = False) -> tuple[int, list[tuple[bytes, bytes]]]:
    """Status and ASGI header list of a response head our serializer produced.

    Connection-specific fields go (the server frames the body), and so do the default
    ``Date`` and ``Server`` fields when they are ours: uvicorn, Hypercorn and Granian add
    their own.
    """
    global _date_text, _date_line
    status = int(head[9:12])
    date = http_date()
    if date is not _date_text:
        _date_text = date
        _date_line = b"Date: " + date.encode("latin-1")
    out: list[tuple[bytes, bytes]] = []
    fields = _FIELDS
    for line in head[head.index(b"\r\n") + 2 : -4].split(b"\r\n"):
        if line == _date_line:
            continue
        field = fields.get(line, _MISSING)
        if field is _MISSING:
            field = _field(line)
            if len(fields) < _FIELDS_MAX and not line.startswith(b"Date:"):
                fields[line] = field
        if field is not None and not (websocket and field[0] in _WS_ACCEPT_OWN):
            out.append(field)
    return status, out
