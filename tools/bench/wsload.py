"""WebSocket echo load: N connections each send a 64-byte binary message and wait for its echo.

    python tools/bench/wsload.py --port 8081 --connections 16 --duration 5

Prints "Requests/sec: X" and "N requests in" like wrk, so the runner parses both the same way.
The client is one asyncio Protocol per connection (on uvloop when installed), sending one
precomputed masked frame (RFC 6455) and counting whole echoes, to stay cheaper than the server.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import time
from typing import cast

PAYLOAD = os.urandom(64)
FRAME_SIZE = 2 + len(PAYLOAD)  # what the server echoes: a 2-byte header and the payload


def _frame(payload: bytes) -> bytes:
    """One masked binary frame, built once per connection and sent again and again: the
    server does the same unmasking work whatever the key, and the client stays cheap."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x82, 0x80 | len(payload))) + mask + masked


class _Echo(asyncio.Protocol):
    """One connection: handshake, then send a frame and wait for its whole echo, in a loop.

    A protocol (not StreamReader.readexactly) keeps the client's cost per message to one
    callback, so the measured rate is the server's, not the load generator's.
    """

    def __init__(self, deadline: float, done: asyncio.Future[int]) -> None:
        self.deadline = deadline
        self.done = done
        self.frame = _frame(PAYLOAD)
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.buffer = b""
        self.count = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport = cast(
            asyncio.Transport, transport
        )  # uvloop's is not a subclass
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self._finish(RuntimeError(f"handshake refused: {buffer[:40]!r}"))
                return
            self.upgraded = True
            buffer = buffer[end + 4 :]
            self._send()
        if len(buffer) < FRAME_SIZE:
            self.buffer = buffer
            return
        if len(buffer) > FRAME_SIZE or buffer[1] != len(PAYLOAD):
            self._finish(RuntimeError(f"unexpected echo: {buffer[:16]!r}"))
            return
        self.buffer = b""
        self.count += 1
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        if time.monotonic() < self.deadline:
            self.transport.write(self.frame)
        else:
            self._finish(None)

    def _finish(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is None:
                self.done.set_result(self.count)
            else:
                self.done.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("server closed the connection"))


async def _client(port: int, deadline: float) -> int:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[int] = loop.create_future()
    await loop.create_connection(lambda: _Echo(deadline, done), "127.0.0.1", port)
    # A server that stops answering fails the run instead of hanging it.
    return await asyncio.wait_for(done, deadline - time.monotonic() + 10)


async def _main(port: int, connections: int, duration: float) -> None:
    start = time.monotonic()
    deadline = start + duration
    counts = await asyncio.gather(*(_client(port, deadline) for _ in range(connections)))
    elapsed = time.monotonic() - start
    total = sum(counts)
    print(f"{total} requests in {elapsed:.2f}s")
    print(f"Requests/sec: {total / elapsed:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main(args.port, args.connections, args.duration))
    else:
        # The same client for both servers; uvloop only makes the load generator cheaper.
        uvloop.run(_main(args.port, args.connections, args.duration))


if __name__ == "__main__":
    main()
