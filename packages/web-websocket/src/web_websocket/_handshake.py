"""The opening handshake (RFC 6455 section 4.2), sans-IO: request headers in, response
headers (or the reason for refusing) out."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ._deflate import DeflateParams, negotiate_deflate

__all__ = ("HandshakeError", "HandshakeResult", "accept_key", "check_handshake")

_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: Only the final protocol version; drafts 7 and 8 are long gone from browsers.
SUPPORTED_VERSION: Final = "13"


class HandshakeError(Exception):
    """Why a request cannot be upgraded: answer ``status`` with ``headers``."""

    def __init__(
        self, message: str, *, status: int = 400, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


@dataclass(frozen=True, slots=True)
class HandshakeResult:
    """The accepted handshake: response headers, chosen subprotocol, deflate parameters."""

    headers: tuple[tuple[str, str], ...]
    protocol: str | None
    deflate: DeflateParams | None


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key``."""
    digest = hashlib.sha1(key.encode("ascii") + _GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def _has_token(value: str, token: str) -> bool:
    """Whether the comma-separated header ``value`` lists ``token`` (lower case), in any case.

    A browser sends the lone token (``Upgrade: websocket``, ``Connection: Upgrade``): one
    comparison; a list is split only when the value is not that token by itself.
    """
    value = value.lower()
    if value == token:
        return True
    return token in [part.strip() for part in value.split(",")]


def _choose_protocol(header: str, protocols: Iterable[str]) -> str | None:
    """The first of the client's subprotocols (in its order of preference) that we speak."""
    ours = set(protocols)
    for proto in header.split(","):
        proto = proto.strip()
        if proto in ours:
            return proto
    return None


def check_handshake(
    method: str,
    headers: Mapping[str, str],
    *,
    protocols: Iterable[str] = (),
    compress: bool = True,
    http_version: tuple[int, int] = (1, 1),
) -> HandshakeResult:
    """Validate an upgrade request; ``HandshakeError`` says what is wrong with it.

    ``headers`` must look names up case-insensitively (a ``CIMultiDict``); ``http_version`` is
    the request's HTTP version (RFC 6455 4.2.1: the upgrade needs HTTP/1.1 or later).
    """
    if http_version < (1, 1):
        raise HandshakeError("WebSocket upgrade needs HTTP/1.1 or later")
    if method != "GET":
        raise HandshakeError(
            "WebSocket upgrade needs a GET request", status=405, headers=(("Allow", "GET"),)
        )
    upgrade = headers.get("Upgrade", "")
    if not _has_token(upgrade, "websocket"):
        raise HandshakeError(
            f'No WebSocket UPGRADE hdr: {upgrade[:50]!r}: can "Upgrade" only to "WebSocket"'
        )
    if not _has_token(headers.get("Connection", ""), "upgrade"):
        raise HandshakeError("No CONNECTION upgrade hdr")
    version = headers.get("Sec-WebSocket-Version", "")
    if version.strip() != SUPPORTED_VERSION:
        raise HandshakeError(
            f"Unsupported version: {version[:20]!r}",
            headers=(("Sec-WebSocket-Version", SUPPORTED_VERSION),),
        )
    key = headers.get("Sec-WebSocket-Key", "").strip()
    try:
        decoded = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        decoded = b""
    if len(decoded) != 16:
        raise HandshakeError(f"Handshake error: {key[:40]!r}")
    out: list[tuple[str, str]] = [
        ("Upgrade", "websocket"),
        ("Connection", "upgrade"),
        ("Sec-WebSocket-Accept", accept_key(key)),
    ]
    protocol = None
    offered = headers.get("Sec-WebSocket-Protocol")
    if offered is not None:
        protocol = _choose_protocol(offered, protocols)
        if protocol is not None:
            out.append(("Sec-WebSocket-Protocol", protocol))
    deflate = None
    extensions = headers.get("Sec-WebSocket-Extensions")
    if compress and extensions:
        negotiated = negotiate_deflate(extensions)
        if negotiated is not None:
            deflate, value = negotiated
            out.append(("Sec-WebSocket-Extensions", value))
    return HandshakeResult(headers=tuple(out), protocol=protocol, deflate=deflate)
