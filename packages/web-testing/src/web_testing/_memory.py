"""An in-memory connection: two asyncio transports wired back to back, no socket.

The server end drives the framework's real ``RequestHandler`` (parser, writer, keep-alive,
upgrades, flow control), exactly as a TCP transport would; only the kernel is skipped. Bytes
written on one end reach the peer protocol's ``data_received`` (at once from a coroutine, on
the next loop iteration from inside a protocol callback, so callbacks never nest), and both
directions keep asyncio's
flow-control contract: a writer whose peer stopped reading is told ``pause_writing`` once
its undelivered bytes pass the high-water mark and ``resume_writing`` when they drain.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

__all__ = ("MemoryTransport", "connect_in_memory")

#: asyncio's socket transports use 64 KiB / 16 KiB by default.
HIGH_WATER = 64 * 1024
LOW_WATER = 16 * 1024


class _Delivery:
    """``active`` while a protocol callback of one loop's in-memory connections runs: bytes
    written meanwhile wait for the next loop iteration, as on a socket; bytes written by a
    coroutine are delivered at once, which saves a loop iteration per direction without ever
    nesting protocol callbacks. One per loop (so per thread running it), shared by all its
    transports: a plain attribute costs a fraction of a ``threading.local`` one, and each
    write reads it and each hand-over sets it twice."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = False


_DELIVERIES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Delivery] = (
    weakref.WeakKeyDictionary()
)


def _delivery_of(loop: asyncio.AbstractEventLoop) -> _Delivery:
    delivery = _DELIVERIES.get(loop)
    if delivery is None:
        delivery = _DELIVERIES[loop] = _Delivery()
    return delivery


class MemoryTransport(asyncio.Transport):
    """One end of an in-memory connection; ``peer`` is the other end."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        protocol: asyncio.Protocol,
        extra: dict[str, Any],
    ) -> None:
        super().__init__(extra)
        self._loop = loop
        self._delivery = _delivery_of(loop)
        self._protocol = protocol
        self.peer: MemoryTransport | None = None
        self._inbound = bytearray()  # written by the peer, not yet given to our protocol
        self._eof_pending = False  # the peer wrote EOF after the bytes in _inbound
        self._scheduled = False
        self._reading = True
        self._closing = False
        self._lost = False
        self._writing_paused = False

    # ---------------------------------------------------------------- BaseTransport

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol  # type: ignore[assignment]  # a stream protocol

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Deliver what was written, then EOF to the peer; our protocol's connection ends."""
        if self._closing:
            return
        self._closing = True
        peer = self.peer
        if peer is not None and not peer._lost:
            peer._eof_pending = True
            peer._schedule()
        self._loop.call_soon(self._connection_lost, None)

    def abort(self) -> None:
        """Drop what was not delivered; both ends see the connection end at once."""
        self._closing = True
        self._inbound.clear()
        peer = self.peer
        if peer is not None and not peer._lost:
            peer._closing = True
            peer._inbound.clear()
            self._loop.call_soon(peer._connection_lost, ConnectionResetError("Connection reset"))
        self._loop.call_soon(self._connection_lost, None)

    # ---------------------------------------------------------------- ReadTransport

    def is_reading(self) -> bool:
        return self._reading and not self._closing

    def pause_reading(self) -> None:
        self._reading = False

    def resume_reading(self) -> None:
        if not self._reading:
            self._reading = True
            self._schedule()

    # ---------------------------------------------------------------- WriteTransport

    def write(self, data: bytes | bytearray | memoryview) -> None:
        peer = self.peer
        if not data or self._closing or peer is None or peer._lost or peer._eof_pending:
            return  # as a socket transport: writes after close are dropped
        delivery = self._delivery
        if delivery.active:
            peer._inbound += data
            peer._schedule()  # never call a protocol from inside another one's callback
        elif peer._inbound or not peer._reading:
            peer._inbound += data
            peer._deliver()
        else:
            # Nothing is waiting before these bytes: the peer's protocol gets them now,
            # without a copy.
            delivery.active = True
            try:
                peer._protocol.data_received(data if type(data) is bytes else bytes(data))
            finally:
                delivery.active = False
        if not self._writing_paused and len(peer._inbound) > HIGH_WATER:
            self._writing_paused = True
            self._protocol.pause_writing()

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def write_eof(self) -> None:
        peer = self.peer
        if peer is not None and not peer._lost and not peer._eof_pending:
            peer._eof_pending = True
            peer._schedule()

    def can_write_eof(self) -> bool:
        return True

    def get_write_buffer_size(self) -> int:
        peer = self.peer
        return 0 if peer is None else len(peer._inbound)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return LOW_WATER, HIGH_WATER

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        raise NotImplementedError("the in-memory transport has fixed buffer limits")

    # ---------------------------------------------------------------- delivery

    def _schedule(self) -> None:
        if not self._scheduled and not self._lost:
            self._scheduled = True
            self._loop.call_soon(self._deliver)

    def _deliver(self) -> None:
        self._scheduled = False
        delivery = self._delivery
        if self._lost or delivery.active:
            if not self._lost:
                self._schedule()
            return
        delivery.active = True
        try:
            if self._reading and self._inbound:
                data = bytes(self._inbound)
                self._inbound.clear()
                self._protocol.data_received(data)
                peer = self.peer
                if peer is not None:
                    peer._maybe_resume_writing()
            if self._eof_pending and not self._inbound and not self._lost:
                self._eof_pending = False
                keep_open = self._protocol.eof_received()
                if not keep_open:
                    self.close()
        finally:
            delivery.active = False

    def _maybe_resume_writing(self) -> None:
        peer = self.peer
        pending = 0 if peer is None else len(peer._inbound)
        if self._writing_paused and pending <= LOW_WATER and not self._lost:
            self._writing_paused = False
            self._protocol.resume_writing()

    def _connection_lost(self, exc: Exception | None) -> None:
        if self._lost:
            return
        self._lost = True
        self._closing = True
        self._protocol.connection_lost(exc)


def connect_in_memory(
    client: asyncio.Protocol,
    server: asyncio.Protocol,
    *,
    client_address: tuple[str, int] = ("127.0.0.1", 50000),
    server_address: tuple[str, int] = ("127.0.0.1", 80),
) -> tuple[MemoryTransport, MemoryTransport]:
    """Connect ``client`` and ``server`` protocols; returns (client end, server end).

    The ends answer ``get_extra_info`` like a TCP connection between the two addresses,
    without a ``socket`` (so nothing tries ``sendfile`` or socket options on it).
    """
    loop = asyncio.get_running_loop()
    client_end = MemoryTransport(
        loop, client, {"peername": server_address, "sockname": client_address}
    )
    server_end = MemoryTransport(
        loop, server, {"peername": client_address, "sockname": server_address}
    )
    client_end.peer = server_end
    server_end.peer = client_end
    server.connection_made(server_end)
    client.connection_made(client_end)
    return client_end, server_end
