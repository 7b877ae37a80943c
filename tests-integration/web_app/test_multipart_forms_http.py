"""Forms and multipart over real sockets: limits, encodings, writers as response bodies."""

from __future__ import annotations

import base64
import io

import httpx
import web
from support import serve
from web_http import BodyPartReader, MultipartReader


class Source:
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, n: int = -1) -> bytes:
        n = len(self._data) if n < 0 else n
        chunk, self._data = self._data[:n], self._data[n:]
        return chunk


def form_app(**app_kwargs: object) -> web.Application:
    async def post(request: web.Request) -> web.Response:
        form = await request.post()
        out = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                out[name] = f"file:{value.filename}:{value.file.read().decode()}"
                value.file.close()
            else:
                out[name] = value if isinstance(value, str) else value.decode()
        return web.json_response(out)

    async def read_part(request: web.Request) -> web.Response:
        reader = await request.multipart()
        part = await reader.next()
        assert isinstance(part, web.BodyPartReader)
        data = await part.read()
        return web.Response(text=str(len(data)))

    app = web.Application(**app_kwargs)  # type: ignore[arg-type]
    app.router.add_post("/", post)
    app.router.add_post("/part", read_part)
    return app


MP = "multipart/form-data; boundary=B"


def mp_body(*parts: tuple[str, bytes]) -> bytes:
    out = b""
    for headers, data in parts:
        out += b"--B\r\n" + headers.encode() + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--B--\r\n"


async def test_post_limits_and_encodings() -> None:
    async with serve(form_app(client_max_size=2000)) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.post("/", files={"up": ("a.txt", b"file body")}, data={"t": "héllo"})
        assert r.status_code == 200
        assert r.json() == {"t": "héllo", "up": "file:a.txt:file body"}
        # An empty file input: a plain (empty) field.
        body = mp_body(('Content-Disposition: form-data; name="f"; filename=""', b""))
        r = await c.post("/", content=body, headers={"Content-Type": MP})
        assert r.json() == {"f": ""}
        # An empty multipart body.
        r = await c.post("/", content=b"", headers={"Content-Type": MP})
        assert (r.status_code, r.json()) == (200, {})
        # base64 and quoted-printable parts are decoded.
        body = mp_body(
            (
                'Content-Disposition: form-data; name="b"\r\nContent-Transfer-Encoding: base64',
                base64.b64encode("çava".encode()),
            ),
            (
                'Content-Disposition: form-data; name="q"\r\n'
                "Content-Transfer-Encoding: quoted-printable",
                b"a=3Db",
            ),
        )
        r = await c.post("/", content=body, headers={"Content-Type": MP})
        assert r.json() == {"b": "çava", "q": "a=b"}
        # _charset_ sets the charset of the fields after it.
        body = mp_body(
            ('Content-Disposition: form-data; name="_charset_"', b"iso-8859-1"),
            ('Content-Disposition: form-data; name="x"', "é".encode("latin-1")),
        )
        r = await c.post("/", content=body, headers={"Content-Type": MP})
        assert r.json() == {"x": "é"}
        # Over client_max_size: 413, counting the undecoded base64 bytes.
        big = base64.encodebytes(b"x" * 1500)  # 2026 raw bytes for 1500 decoded
        body = mp_body(
            ('Content-Disposition: form-data; name="b"\r\nContent-Transfer-Encoding: base64', big)
        )
        assert len(body) > 2000
        r = await c.post("/", content=body, headers={"Content-Type": MP})
        assert r.status_code == 413
        # A file upload over the bound, streamed in several reads.
        r = await c.post("/", files={"up": ("big.bin", b"y" * 50_000)})
        assert r.status_code == 413
        # Urlencoded: lenient as aiohttp.
        r = await c.post(
            "/",
            content=b"a=%zz&b=%ff",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.json() == {"a": "%zz", "b": "\ufffd"}
        # multipart(): a part read whole beyond client_max_size is 413, under it fine.
        r = await c.post("/part", files={"up": ("a", b"z" * 1500)})
        assert (r.status_code, r.text) == (200, "1500")
        body = mp_body(('Content-Disposition: form-data; name="a"', b"z" * 5000))
        r = await c.post("/part", content=body, headers={"Content-Type": MP})
        assert r.status_code == 413
        # Malformed multipart: 400, not 500.
        r = await c.post("/part", content=b"--B\r\nbroken", headers={"Content-Type": MP})
        assert r.status_code == 400


async def test_client_max_fields_and_unlimited_size() -> None:
    app = form_app(client_max_fields=3, client_max_size=None)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.post("/", data={f"k{i}": "v" for i in range(4)})
        assert r.status_code == 413
        assert r.text == "Maximum number of form fields 3 exceeded."
        r = await c.post("/", files={f"f{i}": (f"{i}.txt", b"x") for i in range(4)})
        assert r.status_code == 413
        assert "3 exceeded" in r.text
        r = await c.post("/", data={f"k{i}": "v" for i in range(3)})
        assert r.status_code == 200
        # client_max_size=None: a 3 MiB form is accepted.
        r = await c.post("/", data={"big": "x" * (3 * 1024 * 1024)})
        assert r.status_code == 200
        assert len(r.json()["big"]) == 3 * 1024 * 1024


async def test_writers_as_response_bodies() -> None:
    async def multipart(request: web.Request) -> web.Response:
        with web.MultipartWriter("mixed") as mp:
            mp.append("text part")
            mp.append_json({"n": 1})
            mp.append(io.BytesIO(b"\x00\x01"), {"Content-Type": "application/x-raw"})
        return web.Response(body=mp)

    async def form(request: web.Request) -> web.Response:
        data = web.FormData()
        data.add_field("name", "value")
        data.add_field("file", io.BytesIO(b"data"), filename="f.bin")
        return web.Response(body=data)

    app = web.Application()
    app.router.add_get("/multipart", multipart)
    app.router.add_get("/form", form)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as c:
        r = await c.get("/multipart")
        assert r.headers["content-type"].startswith("multipart/mixed; boundary=")
        assert r.headers["content-length"] == str(len(r.content))
        reader = MultipartReader({"Content-Type": r.headers["content-type"]}, Source(r.content))
        got = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            got.append((part.headers["Content-Type"], await part.read()))
        assert got == [
            ("text/plain; charset=utf-8", b"text part"),
            ("application/json", b'{"n": 1}'),
            ("application/x-raw", b"\x00\x01"),
        ]
        r = await c.get("/form")
        ctype = r.headers["content-type"]
        assert ctype.startswith("multipart/form-data; boundary=")
        reader = MultipartReader({"Content-Type": ctype}, Source(r.content))
        names = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            names.append((part.name, part.filename, await part.read()))
        assert names == [("name", None, b"value"), ("file", "f.bin", b"data")]
