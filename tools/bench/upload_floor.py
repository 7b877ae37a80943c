"""The loop's own ceiling for tools/bench/upload.py: a bare asyncio Protocol that counts bytes.

    python tools/bench/upload_floor.py --port 8081 [--loop uvloop]

No HTTP parsing beyond finding the head and the end of the body: it counts every byte after
the head (chunk framing included), answers the count and closes. What it costs per MiB is what
asyncio's (or uvloop's) read path costs before any framework runs, so upload.py prints it as
the floor next to ours and aiohttp's. It prints "ready" once listening, as server.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from typing import cast

_LENGTH_RE = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
#: The end of a chunked body whose last chunk had data: its CRLF, the last-chunk, the empty line.
_CHUNKED_END = b"\r\n0\r\n\r\n"


class CountingProtocol(asyncio.Protocol):
    """One request per connection; the answer is the number of bytes after the head."""

    def __init__(self) -> None:
        self._transport: asyncio.WriteTransport | None = None
        self._head = b""
        self._count = -1  # -1 while the head is still arriving
        self._length = -1  # Content-Length, or -1 for a chunked body
        self._tail = b""  # the last bytes of a chunked body, to see its end across reads

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a socket transport: it writes (uvloop's does not subclass asyncio's classes)
        self._transport = cast("asyncio.WriteTransport", transport)

    def data_received(self, data: bytes) -> None:
        if self._count < 0:
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0:
                return
            found = _LENGTH_RE.search(self._head, 0, end)
            self._length = int(found[1]) if found else -1
            data = self._head[end + 4 :]
            self._count = 0
        self._count += len(data)
        if self._length >= 0:
            done = self._count >= self._length
        else:
            self._tail = (self._tail + data[-len(_CHUNKED_END) :])[-len(_CHUNKED_END) :]
            done = self._tail == _CHUNKED_END
        if done and self._transport is not None:
            body = b"%d" % self._count
            self._transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%b"
                % (len(body), body)
            )
            self._transport.close()


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(CountingProtocol, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    try:
        if args.loop == "uvloop":
            import uvloop

            uvloop.run(serve(args.port))
        else:
            asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
