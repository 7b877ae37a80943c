"""web-static end to end: real sockets, httpx and raw clients, sendfile and its fallbacks."""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from web_app import Application
from web_app.integration import make_server
from web_static import FileResponse

BIG = os.urandom(3 * 1024 * 1024 + 17)


@asynccontextmanager
async def serve(app: Application, ssl_ctx: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """Run ``app`` on an ephemeral port (web-runner's job, done by hand); yield the port."""
    loop = asyncio.get_running_loop()
    server = make_server(app)
    await app.startup()
    srv = await loop.create_server(server, "127.0.0.1", 0, ssl=ssl_ctx)
    port: int = srv.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        srv.close()
        await app.shutdown()
        await server.shutdown(2.0)
        await srv.wait_closed()
        await app.cleanup()


async def raw_get(port: int, target: str, extra: str = "") -> tuple[int, bytes]:
    """Send one request exactly as written (no client-side normalisation)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n".encode()
        )
        data = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "sub").mkdir(parents=True)
    (root / "big.bin").write_bytes(BIG)
    (root / "a.txt").write_bytes(b"hello")
    (root / "app.js").write_bytes(b"console.log(1)\n" * 50)
    (root / "app.js.gz").write_bytes(gzip.compress(b"console.log(1)\n" * 50))
    (root / "sub" / "<i>.txt").write_bytes(b"")
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (root / "link_out").symlink_to(tmp_path / "secret.txt")
    return root


def static_app(root: Path, **kwargs: Any) -> Application:
    app = Application()
    app.router.add_static("/static", root, **kwargs)
    return app


async def test_big_file_over_sendfile(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    real_sendfile = os.sendfile
    calls: list[int] = []
    reads: list[int] = []
    real_pread = os.pread

    def spy(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        calls.append(count)
        return real_sendfile(out_fd, in_fd, offset, count)

    def pread_spy(fd: int, size: int, offset: int) -> bytes:
        reads.append(size)
        return real_pread(fd, size, offset)

    monkeypatch.setattr(os, "sendfile", spy)
    monkeypatch.setattr(os, "pread", pread_spy)
    async with serve(static_app(tree)) as port, httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/static/big.bin")
        assert resp.status_code == 200
        assert resp.content == BIG
        assert resp.headers["content-length"] == str(len(BIG))
        # the connection stays usable after a sendfile body
        again = await client.get(f"http://127.0.0.1:{port}/static/a.txt")
        assert again.text == "hello"
    # the whole body went zero-copy (the first call asks for all of it) and no body
    # byte was read into Python
    assert calls[0] == len(BIG)
    assert reads == []


async def test_sendfile_rest_waits_for_a_slow_reader(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body larger than the socket takes at once: the rest follows as the peer reads."""

    huge = os.urandom(12 * 1024 * 1024)
    (tree / "huge.bin").write_bytes(huge)
    real_sendfile = os.sendfile
    first: list[int] = []

    def spy(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        sent = real_sendfile(out_fd, in_fd, offset, count)
        first.append(sent)
        return sent

    monkeypatch.setattr(os, "sendfile", spy)
    async with serve(static_app(tree)) as port:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock)
        writer.write(b"GET /static/huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        body = await asyncio.wait_for(reader.readexactly(len(huge)), 30)
        assert body == huge
        # keep-alive still works after the waited-for rest
        writer.write(b"GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Content-Length: 5" in head
        assert await reader.readexactly(5) == b"hello"
        writer.close()
    # the socket did not take it all at once: the direct send stopped part way and the
    # rest went out in later sendfile calls as the client read
    assert 0 < first[0] < len(huge)
    assert sum(first) == len(huge)


async def test_big_file_without_sendfile(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import web_static._file_response as fr

    monkeypatch.setattr(fr, "NOSENDFILE", True)
    async with serve(static_app(tree, chunk_size=100_000)) as port, httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/static/big.bin")
    assert resp.content == BIG


async def test_big_file_over_tls(tree: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    async with (
        serve(static_app(tree), server_ctx) as port,
        httpx.AsyncClient(verify=client_ctx) as client,
    ):
        resp = await client.get(f"https://127.0.0.1:{port}/static/big.bin")
    assert resp.content == BIG


async def test_ranges_and_validators(tree: Path) -> None:
    async with serve(static_app(tree)) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/static/big.bin"
        part = await client.get(url, headers={"Range": "bytes=1000000-2999999"})
        assert part.status_code == 206
        assert part.content == BIG[1000000:3000000]
        assert part.headers["content-range"] == f"bytes 1000000-2999999/{len(BIG)}"
        tail = await client.get(url, headers={"Range": "bytes=-10"})
        assert tail.content == BIG[-10:]
        bad = await client.get(url, headers={"Range": f"bytes={len(BIG)}-"})
        assert bad.status_code == 416
        assert bad.headers["content-range"] == f"bytes */{len(BIG)}"
        etag = part.headers["etag"]
        cached = await client.get(url, headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert cached.content == b""
        since = await client.get(url, headers={"If-Modified-Since": part.headers["last-modified"]})
        assert since.status_code == 304
        stale = await client.get(url, headers={"Range": "bytes=0-0", "If-Range": '"old"'})
        assert stale.status_code == 200
        assert len(stale.content) == len(BIG)
        fresh = await client.get(url, headers={"Range": "bytes=0-0", "If-Range": etag})
        assert fresh.content == BIG[:1]
        head = await client.head(url)
        assert head.headers["content-length"] == str(len(BIG))
        assert head.content == b""


async def test_precompressed(tree: Path) -> None:
    async with serve(static_app(tree)) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/static/app.js"
        resp = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert resp.headers["content-encoding"] == "gzip"
        assert resp.headers["vary"] == "Accept-Encoding"
        assert resp.headers["content-type"] in ("text/javascript", "application/javascript")
        assert resp.text == "console.log(1)\n" * 50
        plain = await client.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers


async def test_index_and_forbidden(tree: Path) -> None:
    async with serve(static_app(tree, show_index=True)) as port, httpx.AsyncClient() as client:
        page = await client.get(f"http://127.0.0.1:{port}/static/sub")
        assert page.status_code == 200
        assert "&lt;i&gt;.txt" in page.text
        assert "<i>" not in page.text
    async with serve(static_app(tree)) as port, httpx.AsyncClient() as client:
        denied = await client.get(f"http://127.0.0.1:{port}/static/sub")
        assert denied.status_code == 403
        missing = await client.get(f"http://127.0.0.1:{port}/static/none")
        assert missing.status_code == 404
        post = await client.post(f"http://127.0.0.1:{port}/static/a.txt")
        assert post.status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/sub/..%2F..%2Fsecret.txt",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/a.txt%00",
        "/static/link_out",
        "/static/..%5c..%5csecret.txt",
    ],
)
async def test_hostile_paths(tree: Path, target: str) -> None:
    async with serve(static_app(tree, show_index=True)) as port:
        status, data = await raw_get(port, target)
    assert status in (400, 403, 404), data[:200]
    assert b"SECRET" not in data
    assert b"root:" not in data


async def test_file_response_from_handler(tree: Path) -> None:
    async def download(request: Any) -> FileResponse:
        return FileResponse(tree / "big.bin", headers={"Content-Disposition": "attachment"})

    async def missing(request: Any) -> FileResponse:
        return FileResponse(tree / "nothing")

    app = Application()
    app.router.add_get("/dl", download)
    app.router.add_get("/missing", missing)
    async with serve(app) as port, httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/dl")
        assert resp.content == BIG
        assert resp.headers["content-disposition"] == "attachment"
        gone = await client.get(f"http://127.0.0.1:{port}/missing")
        assert gone.status_code == 404


async def test_url_for_with_version(tree: Path) -> None:
    app = Application()
    app.router.add_static("/static", tree, name="static", append_version=True)
    url = app.router["static"].url_for(filename="a.txt")
    assert url.path == "/static/a.txt"
    assert url.query["v"]
    async with serve(app) as port, httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}{url}")
    assert resp.text == "hello"


async def test_client_gone_mid_body(tree: Path) -> None:
    async with serve(static_app(tree)) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readexactly(1000)
        writer.close()
        await asyncio.sleep(0.1)
        # the server survives and serves the next client
        status, data = await raw_get(port, "/static/a.txt")
    assert status == 200
    assert data.endswith(b"hello")
