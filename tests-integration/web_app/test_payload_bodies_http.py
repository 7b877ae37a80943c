"""Response bodies beyond bytes over real sockets: files, streams, forwarded parts, payloads.

The app below is written as for aiohttp (``from aiohttp import web`` -> ``import web``) and
runs unchanged.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import web
from support import serve
from web_app.payload import Payload, PayloadWriterLike, payload_type


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


@payload_type(Point)
class PointPayload(Payload):
    """A user type registered as a body: sent as ``x,y`` text."""

    def __init__(self, value: Point, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("content_type", "text/x-point")
        super().__init__(value, *args, **kwargs)
        self._data = f"{value.x},{value.y}".encode()
        self._size = len(self._data)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._data.decode(encoding, errors)

    async def write(self, writer: PayloadWriterLike) -> None:
        await writer.write(self._data)


def make_app(root: Path, opened: list[Any]) -> web.Application:
    routes = web.RouteTableDef()

    @routes.get("/file/{name}")
    async def file_body(request: web.Request) -> web.Response:
        f = open(root / request.match_info["name"], "rb")  # noqa: SIM115, ASYNC230 - as users do; closed by the response
        opened.append(f)
        return web.Response(body=f)

    @routes.get("/text-file")
    async def text_file(request: web.Request) -> web.Response:
        f = open(root / "notes.txt", encoding="utf-8")  # noqa: SIM115, ASYNC230
        opened.append(f)
        return web.Response(body=f)

    @routes.get("/bytesio")
    async def bytesio(request: web.Request) -> web.Response:
        return web.Response(body=io.BytesIO(b"\x00\x01binary"))

    @routes.get("/stringio")
    async def stringio(request: web.Request) -> web.Response:
        return web.Response(body=io.StringIO("héllo from StringIO"))

    @routes.get("/agen")
    async def agen(request: web.Request) -> web.Response:
        async def numbers() -> AsyncIterator[bytes]:
            for i in range(5):
                yield f"line {i}\n".encode()

        return web.Response(body=numbers(), content_type="text/plain")

    @routes.get("/agen-fails")
    async def agen_fails(request: web.Request) -> web.Response:
        async def broken() -> AsyncIterator[bytes]:
            yield b"first"
            raise RuntimeError("generator failed")

        return web.Response(body=broken())

    @routes.post("/forward")
    async def forward(request: web.Request) -> web.Response:
        reader = await request.multipart()
        part = await reader.next()
        return web.Response(body=part)

    @routes.post("/echo")
    async def echo(request: web.Request) -> web.Response:
        # A proxy's pattern: the request body stream becomes the response body.
        return web.Response(body=request.content, content_type="application/x-echo")

    @routes.get("/point")
    async def point(request: web.Request) -> web.Response:
        return web.Response(body=Point(3, 4))

    @routes.get("/gzip-file")
    async def gzip_file(request: web.Request) -> web.Response:
        resp = web.Response(body=open(root / "big.bin", "rb"))  # noqa: SIM115, ASYNC230
        resp.enable_compression()
        return resp

    @routes.get("/bad")
    async def bad(request: web.Request) -> web.Response:
        return web.Response(body=object())

    @routes.get("/stream-write")
    async def stream_write(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"abc")
        await resp.write(bytearray(b"def"))
        await resp.write(memoryview(b"ghi"))
        await resp.write_eof()
        return resp

    app = web.Application()
    app.add_routes(routes)
    return app


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "data.json").write_bytes(b'{"a": 1}')
    (tmp_path / "notes.txt").write_text("héllo\nwörld\n", encoding="utf-8")
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 1200)  # 300 KiB: several reads
    (tmp_path / "blob.unknownext").write_bytes(b"??")
    return tmp_path


async def test_files_streams_and_payloads(root: Path) -> None:
    opened: list[Any] = []
    async with serve(make_app(root, opened)) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.get("/file/data.json")
        assert r.status_code == 200
        assert r.content == b'{"a": 1}'
        assert r.headers["content-type"] == "application/json"
        assert r.headers["content-length"] == "8"
        assert r.headers["content-disposition"] == 'attachment; filename="data.json"'

        r = await c.get("/file/big.bin")
        assert r.content == bytes(range(256)) * 1200
        assert r.headers["content-length"] == str(256 * 1200)
        assert r.headers["content-type"] == "application/octet-stream"

        r = await c.get("/file/blob.unknownext")
        assert r.headers["content-type"] == "application/octet-stream"

        r = await c.head("/file/big.bin")
        assert r.headers["content-length"] == str(256 * 1200)
        assert r.content == b""

        r = await c.get("/text-file")
        assert r.text == "héllo\nwörld\n"
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.headers["transfer-encoding"] == "chunked"
        assert r.headers["content-disposition"] == 'attachment; filename="notes.txt"'

        r = await c.get("/bytesio")
        assert r.content == b"\x00\x01binary"
        assert r.headers["content-length"] == "8"
        assert r.headers["content-type"] == "application/octet-stream"
        assert "content-disposition" not in r.headers

        r = await c.get("/stringio")
        assert r.text == "héllo from StringIO"
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.headers["content-length"] == str(len("héllo from StringIO".encode()))

        r = await c.get("/agen")
        assert r.text == "".join(f"line {i}\n" for i in range(5))
        assert "content-length" not in r.headers
        assert r.headers["transfer-encoding"] == "chunked"
        assert r.headers["content-type"] == "text/plain"

        r = await c.get("/point")
        assert (r.text, r.headers["content-type"], r.headers["content-length"]) == (
            "3,4",
            "text/x-point",
            "3",
        )

        r = await c.get("/gzip-file", headers={"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip"
        assert "content-length" not in r.headers
        assert r.content == bytes(range(256)) * 1200  # httpx undid the gzip

        big = bytes(range(256)) * 2000
        r = await c.post("/echo", content=big)
        assert (r.content, r.headers["content-type"]) == (big, "application/x-echo")
        assert "content-length" not in r.headers

        r = await c.get("/bad")
        assert r.status_code == 500

        r = await c.get("/stream-write")
        assert r.content == b"abcdefghi"

        with pytest.raises(httpx.RemoteProtocolError):
            await c.get("/agen-fails")
        # The server is unharmed.
        assert (await c.get("/bytesio")).status_code == 200
    assert opened and all(f.closed for f in opened)


async def test_forwarded_multipart_part(root: Path) -> None:
    files = {"upload": ("report.csv", b"a,b\n1,2\n", "text/csv")}
    async with serve(make_app(root, [])) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.post("/forward", files=files)
        assert r.status_code == 200
        assert r.content == b"a,b\n1,2\n"
        assert r.headers["content-type"] == "text/csv"
        assert r.headers["content-disposition"] == (
            'attachment; name="upload"; filename="report.csv"'
        )
        assert "content-length" not in r.headers
        # A base64 part is forwarded decoded.
        body = (
            b'--B\r\nContent-Disposition: form-data; name="b"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(b"x" * 1000)
            + b"\r\n--B--\r\n"
        )
        r = await c.post(
            "/forward", content=body, headers={"Content-Type": "multipart/form-data; boundary=B"}
        )
        assert r.content == b"x" * 1000
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["content-disposition"] == 'attachment; name="b"'


async def test_gzip_bytes_body_keeps_length(root: Path) -> None:
    # The fast path for plain bytes bodies is untouched by the payload system.
    async def handler(request: web.Request) -> web.Response:
        resp = web.Response(body=json.dumps({"k": "v" * 100}).encode())
        resp.enable_compression()
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.get("/", headers={"Accept-Encoding": "gzip"})
        assert r.json() == {"k": "v" * 100}
        assert r.headers["content-encoding"] == "gzip"
        assert int(r.headers["content-length"]) == r.num_bytes_downloaded
