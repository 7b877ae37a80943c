"""What the client sends for each kind of ``data=``, and what it refuses."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import web
from multidict import MultiDict
from web_http import BodyPartReader
from web_testing import (
    ClientConnectionError,
    FormData,
    TestClient,
    TestServer,
    TooManyRedirects,
)
from web_testing._body import make_body


async def parts(request: web.Request) -> web.Response:
    reader = await request.multipart()
    out = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        body = await part.read()
        out.append(
            [part.name, part.filename, part.headers.get("Content-Type"), body.decode("latin-1")]
        )
    return web.json_response({"parts": out, "length": request.content_length})


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "type": request.headers.get("Content-Type"),
            "length": request.headers.get("Content-Length"),
            "te": request.headers.get("Transfer-Encoding"),
            "body": body.decode("latin-1"),
        }
    )


async def redirect(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    raise {301: web.HTTPMovedPermanently, 302: web.HTTPFound, 303: web.HTTPSeeOther}.get(
        code, web.HTTPTemporaryRedirect if code == 307 else web.HTTPPermanentRedirect
    )("/echo")


async def loop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


@pytest.fixture(params=["socket", "memory"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[TestClient]:
    app = web.Application()
    app.router.add_post("/parts", parts)
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/r/{code}", redirect)
    app.router.add_get("/loop", loop)
    async with TestClient(TestServer(app, transport=request.param)) as client:
        yield client


async def test_open_file_in_a_dict_is_a_multipart_upload(
    client: TestClient, tmp_path: Path
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG-data")
    with open(path, "rb") as f:  # noqa: ASYNC230
        data = await (await client.post("/parts", data={"pic": f, "n": "3"})).json()
        assert f.closed  # closed once sent, as aiohttp's client does
    assert data["parts"] == [
        ["pic", "photo.png", "image/png", "\x89PNG-data"],
        ["n", None, "text/plain; charset=utf-8", "3"],
    ]
    assert data["length"] is not None  # sizes known: sent with a Content-Length


async def test_text_file_and_bytesio(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("héllo")
    form = FormData()
    form.add_field("t", open(path, encoding="utf-8"))  # noqa: SIM115, ASYNC230
    form.add_field("b", io.BytesIO(b"raw"), filename="b.bin")
    data = await (await client.post("/parts", data=form)).json()
    text = "héllo".encode().decode("latin-1")
    assert data["parts"][0] == ["t", "notes.txt", "text/plain; charset=utf-8", text]
    assert data["parts"][1] == ["b", "b.bin", "application/octet-stream", "raw"]


async def test_formdata_fields(client: TestClient) -> None:
    form = FormData({"a": "1"})
    form.add_field("blob", b"xyz", filename="blob")
    form.add_field("doc", "<p/>", content_type="text/html", filename="page.html")
    data = await (await client.post("/parts", data=form)).json()
    assert data["parts"] == [
        ["a", None, "text/plain; charset=utf-8", "1"],
        ["blob", "blob", "application/octet-stream", "xyz"],
        ["doc", "page.html", "text/html", "<p/>"],
    ]


async def test_plain_forms_are_urlencoded(client: TestClient) -> None:
    for data in ({"a": "1", "b": "x y"}, [("a", "1"), ("b", "x y")], MultiDict(a="1", b="x y")):
        got = await (await client.post("/echo", data=data)).json()
        assert got["type"] == "application/x-www-form-urlencoded"
        assert got["body"] == "a=1&b=x+y"


async def test_bytes_text_json_and_streams(client: TestClient) -> None:
    got = await (await client.post("/echo", data=b"\x00raw")).json()
    assert (got["type"], got["length"], got["body"]) == ("application/octet-stream", "4", "\x00raw")
    got = await (await client.post("/echo", data="text")).json()
    assert got["type"] == "text/plain; charset=utf-8"
    got = await (await client.post("/echo", json={"k": [1]})).json()
    assert (got["type"], got["body"]) == ("application/json", '{"k": [1]}')

    async def gen() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    got = await (await client.post("/echo", data=gen())).json()
    assert (got["te"], got["length"], got["body"]) == ("chunked", None, "ab")
    got = await (await client.post("/echo", data=b"xy", chunked=True)).json()
    assert (got["te"], got["body"]) == ("chunked", "xy")
    got = await (await client.put("/echo")).json()
    assert (got["length"], got["body"]) == ("0", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"f": object()}, "cannot send object"),
        ({"f": None}, "cannot send NoneType"),
        ({"f": ["a", "b"]}, "cannot send list"),
        (12, "cannot send data of type int"),
        ({"f"}, "cannot send data of type set"),
        (iter([b"a"]), "cannot send data of type list_iterator"),
    ],
)
def test_unsendable_data_is_refused(data: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        make_body(data)


def test_closed_and_write_only_files_are_refused(tmp_path: Path) -> None:
    f = open(tmp_path / "x", "wb")  # noqa: SIM115
    with pytest.raises(TypeError, match="not opened for reading"):
        make_body(f)
    f.close()
    with pytest.raises(ValueError, match="closed file"):
        make_body({"f": f})


def test_data_and_json_together_are_refused() -> None:
    with pytest.raises(ValueError, match="at the same time"):
        make_body(b"x", {"a": 1})


async def test_bad_stream_item_fails_the_request(client: TestClient) -> None:
    async def gen() -> AsyncIterator[object]:
        yield 5

    with pytest.raises(TypeError, match="must yield bytes"):
        resp = await client.post("/echo", data=gen())
        await resp.read()


@pytest.mark.parametrize(
    ("code", "method", "body"),
    [
        (301, "GET", ""),
        (302, "GET", ""),
        (303, "GET", ""),
        (307, "POST", "keep"),
        (308, "POST", "keep"),
    ],
)
async def test_redirect_methods(client: TestClient, code: int, method: str, body: str) -> None:
    resp = await client.post(f"/r/{code}", data=b"keep")
    got = await resp.json()
    assert (got["method"], got["body"]) == (method, body)
    assert [r.status for r in resp.history] == [code]


@pytest.mark.parametrize("code", [301, 302, 303])
async def test_a_file_the_redirect_drops_is_closed(
    client: TestClient, tmp_path: Path, code: int
) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(b"file body")
    with path.open("rb") as f:
        resp = await client.post(f"/r/{code}", data=f)
        assert (await resp.json())["method"] == "GET"
        assert f.closed  # closed once sent, as aiohttp's client does


async def test_streamed_body_cannot_follow_307(client: TestClient) -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"once"

    with pytest.raises(ClientConnectionError, match="cannot resend"):
        await client.post("/r/307", data=gen())


async def test_too_many_redirects(client: TestClient) -> None:
    with pytest.raises(TooManyRedirects) as info:
        await client.get("/loop", max_redirects=3)
    assert len(info.value.history) == 4
    resp = await client.get("/loop", allow_redirects=False)
    assert resp.status == 302
    assert resp.history == ()
