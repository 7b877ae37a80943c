"""Zero-copy bodies straight onto a plain socket, without ``loop.sendfile``'s set-up.

``loop.sendfile`` waits for the transport's buffer to drain, pauses reading, creates
futures and registers a writer callback even when the whole body fits in the socket
buffer at once, which is the usual case for static files. When the transport is a
known plain socket transport and has nothing buffered, one ``os.sendfile`` on its
descriptor sends the body in order with the head already written; only what the socket
does not take at once is left to the slower, waiting paths.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Final, Protocol

__all__ = ("plain_socket", "sendfile_now", "set_cork")

#: Transports that write a socket as is (no TLS, no framing): asyncio's and uvloop's.
_PLAIN_TRANSPORTS: Final = frozenset(
    {
        ("asyncio.selector_events", "_SelectorSocketTransport"),
        ("uvloop.loop", "TCPTransport"),
        ("uvloop.loop", "UnixTransport"),
    }
)
_known: dict[type, bool] = {}
_HAS_SENDFILE: Final = hasattr(os, "sendfile")
_TCP_CORK: Final[int | None] = getattr(socket, "TCP_CORK", None)
_TCP_FAMILIES: Final = (socket.AF_INET, socket.AF_INET6)


class SocketLike(Protocol):
    """What we use of the transport's socket (asyncio's ``TransportSocket`` has it)."""

    @property
    def family(self) -> int: ...

    def fileno(self) -> int: ...

    def setsockopt(self, level: int, optname: int, value: int, /) -> None: ...


def plain_socket(transport: asyncio.BaseTransport) -> SocketLike | None:
    """The socket under a plain socket transport, to send a file on it directly.

    Plain means a known transport that writes the socket as is (never TLS or a wrapper
    that transforms bytes). The caller must still see the transport's write buffer
    empty before sending, so bytes sent on the socket follow everything written before.
    """
    if not _HAS_SENDFILE:
        return None
    cls = type(transport)
    plain = _known.get(cls)
    if plain is None:
        plain = _known[cls] = (cls.__module__, cls.__qualname__) in _PLAIN_TRANSPORTS
    if not plain or transport.is_closing():
        return None
    sock: SocketLike | None = transport.get_extra_info("socket")
    return sock


def set_cork(sock: SocketLike, on: bool) -> bool:
    """``TCP_CORK`` on or off; False where there is none (not Linux, not TCP).

    Corked, the head written through the transport waits for the file's first bytes
    and leaves in full segments with them: a separate small head segment measurably
    slowed large files on loopback (about a third fewer responses per second).
    """
    if _TCP_CORK is None or sock.family not in _TCP_FAMILIES:
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _TCP_CORK, 1 if on else 0)
    except OSError:
        return False
    return True


def sendfile_now(sock_fd: int, fd: int, offset: int, count: int) -> int:
    """Send up to ``count`` bytes of ``fd`` from ``offset`` without waiting; bytes sent.

    Stops when the socket would block or the file ends early (the caller tells the
    two apart by what is left). A peer that is gone raises ``ConnectionResetError``.
    """
    sent = 0
    while count > 0:
        try:
            n = os.sendfile(sock_fd, fd, offset, count)
        except BlockingIOError:
            break
        except OSError as exc:
            raise ConnectionResetError(f"Connection lost: {exc}") from exc
        if n <= 0:
            break
        sent += n
        offset += n
        count -= n
    return sent
