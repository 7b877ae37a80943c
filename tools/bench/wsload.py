"""WebSocket echo load: N connections each send a 64-byte binary message and wait for its echo.

    python tools/bench/wsload.py --port 8081 --connections 16 --duration 5

Prints "Requests/sec: X" and "N requests in" like wrk, so the runner parses both the same way.
The client speaks the protocol on raw asyncio streams (masking per RFC 6455) to stay cheap.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import struct
import time

PAYLOAD = os.urandom(64)


def _frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x82, 0x80 | len(payload)) + mask + masked


async def _client(port: int, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"handshake refused: {head[:40]!r}")
    frame = _frame(PAYLOAD)
    done = 0
    while time.monotonic() < deadline:
        writer.write(frame)
        hdr = await reader.readexactly(2)
        await reader.readexactly(hdr[1] & 0x7F)
        done += 1
    counts.append(done)
    writer.close()


async def _main(port: int, connections: int, duration: float) -> None:
    counts: list[int] = []
    start = time.monotonic()
    deadline = start + duration
    await asyncio.gather(*(_client(port, deadline, counts) for _ in range(connections)))
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
    asyncio.run(_main(args.port, args.connections, args.duration))


if __name__ == "__main__":
    main()
