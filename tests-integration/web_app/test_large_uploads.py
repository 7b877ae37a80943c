"""Large request bodies over a real socket (issue 18): chunked and Content-Length uploads
streamed through ``request.content`` arrive whole and in order, whatever the framing splits,
with a handler that keeps up and with one that stalls (reading pauses, then resumes); the
connection then serves its next request."""

from __future__ import annotations

import asyncio
import hashlib
import random
import socket

import web
from support import serve

SIZE = 12 * 2**20


def _body(seed: int) -> bytes:
    return random.Random(seed).randbytes(SIZE)


def _chunked_wire(body: bytes, seed: int) -> list[bytes]:
    """The body as chunks of irregular sizes (1 byte to 300 KiB), some with extensions, cut
    into sends that split size lines, CRLFs and data anywhere; a last chunk with a trailer."""
    rng = random.Random(seed)
    wire = bytearray()
    pos = 0
    while pos < len(body):
        n = rng.choice((1, 7, 4096, 65536, 65536, 300 * 1024, rng.randrange(1, 200_000)))
        piece = body[pos : pos + n]
        ext = b";name=value" if rng.random() < 0.1 else b""
        wire += b"%x%b\r\n%b\r\n" % (len(piece), ext, piece)
        pos += len(piece)
    wire += b"0\r\nX-Checksum: done\r\n\r\n"
    sends = []
    pos = 0
    while pos < len(wire):
        n = rng.choice((3, 10, 1000, 2**20, 3 * 2**20, rng.randrange(1, 2**21)))
        sends.append(bytes(wire[pos : pos + n]))
        pos += n
    return sends


def _post(port: int, path: str, framing: bytes, sends: list[bytes]) -> bytes:
    """Send one POST (then a GET on the same connection); returns both answers."""
    head = b"POST %b HTTP/1.1\r\nHost: t\r\n%b\r\n" % (path.encode(), framing)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        for data in sends:
            sock.sendall(data)
        sock.sendall(b"GET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        answer = bytearray()
        while got := sock.recv(65536):
            answer += got
    return bytes(answer)


def _app() -> web.Application:
    async def digest(request: web.Request) -> web.Response:
        h = hashlib.sha256()
        n = 0
        async for chunk in request.content.iter_any():
            assert type(chunk) is bytes
            h.update(chunk)
            n += len(chunk)
            if request.path == "/slow" and n < SIZE // 2:
                await asyncio.sleep(0.01)  # falls behind: the body buffer fills, reading pauses
        # what the handler read, what the stream counted, and the digest of the bytes
        return web.Response(text=f"{n} {request.content.total_bytes} {h.hexdigest()}")

    async def nxt(request: web.Request) -> web.Response:
        return web.Response(text="next")

    app = web.Application(client_max_size=2**30)
    app.router.add_post("/fast", digest)
    app.router.add_post("/slow", digest)
    app.router.add_get("/next", nxt)
    return app


async def _upload(path: str, chunked: bool, seed: int) -> None:
    body = _body(seed)
    if chunked:
        framing = b"Transfer-Encoding: chunked\r\n"
        sends = _chunked_wire(body, seed)
    else:
        framing = b"Content-Length: %d\r\n" % SIZE
        sends = [body[i : i + 3 * 2**20 + 17] for i in range(0, SIZE, 3 * 2**20 + 17)]
    async with serve(_app(), access_log=None) as url:
        port = int(url.rsplit(":", 1)[1])
        # a thread with a blocking socket, so the client sends while the loop serves
        answer = await asyncio.to_thread(_post, port, path, framing, sends)
    first, _, rest = answer.partition(b"HTTP/1.1 200 OK\r\n")
    assert first == b""
    expected = f"{SIZE} {SIZE} {hashlib.sha256(body).hexdigest()}".encode()
    assert expected in rest
    assert rest.endswith(b"\r\n\r\nnext")  # the next request on the connection was served


async def test_chunked_upload_streams_whole_to_a_reader_that_keeps_up() -> None:
    await _upload("/fast", chunked=True, seed=1)


async def test_chunked_upload_streams_whole_to_a_reader_that_stalls() -> None:
    await _upload("/slow", chunked=True, seed=2)


async def test_content_length_upload_streams_whole_to_both_readers() -> None:
    await _upload("/fast", chunked=False, seed=3)
    await _upload("/slow", chunked=False, seed=4)
