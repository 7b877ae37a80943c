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
    """The ``RequestHead`` our parser would have produced for this scope."""
    raw: list[tuple[bytes, bytes]] = [(bytes(k), bytes(v)) for k, v in scope.get("headers", ())]
    if websocket:
        raw = [(k, v) for k, v in raw if k.lower() not in _WS_DROPPED]
        raw[:0] = _WS_DEFAULTS
    headers = CIMultiDict((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
    if "Host" not in headers:
        # HTTP/2 carries :authority, which not every server turns into Host.
        server = scope_address(scope.get("server"))
        if server is not None:
            host = f"{server[0]}:{server[1]}".encode("latin-1")
            raw.append((b"host", host))
            headers["Host"] = host.decode("latin-1")
    length: int | None = None
    value = headers.get("Content-Length")
    if value is not None and value.isdigit():
        length = int(value)
    encoding = headers.get("Content-Encoding")
    return RequestHead(
        method="GET" if websocket else scope.get("method", "GET"),
        target=_target(scope),
        version=_VERSIONS.get(scope.get("http_version", "1.1"), HttpVersion11),
        headers=CIMultiDictProxy(headers),
        raw_headers=tuple(raw),
        keep_alive=True,
        upgrade=websocket,
        chunked=False,
        content_length=length,
        encoding=encoding.lower() if encoding else None,
        expect_continue=headers.get("Expect", "").lower() == "100-continue",
    )


def parse_head(head: bytes, *, websocket: bool = False) -> tuple[int, list[tuple[bytes, bytes]]]:
    """Status and ASGI header list of a response head our serializer produced.

    Connection-specific fields go (the server frames the body), and so do the default
    ``Date`` and ``Server`` fields when they are ours: uvicorn and Hypercorn add their own.
    """
    lines = head.split(b"\r\n")
    status = int(lines[0][9:12])
    date = http_date().encode("latin-1")
    out: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(b":")
        name = name.lower()
        value = value.strip()
        if name in _HOP_BY_HOP:
            continue
        if name == b"date" and value == date:
            continue
        if name == b"server" and value == _SERVER:
            continue
        if websocket and name in _WS_ACCEPT_OWN:
            continue
        out.append((name, value))
    return status, out
