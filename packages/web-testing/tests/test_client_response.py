"""ClientResponse: aiohttp's client-response API."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import pytest
import web
from web_testing import ClientResponseError, ContentTypeError, TestClient, TestServer


async def text(request: web.Request) -> web.Response:
    return web.Response(text="héllo", charset="latin-1")


async def problem(request: web.Request) -> web.Response:
    return web.Response(body=b'{"error": "x"}', content_type="application/problem+json", status=422)


async def plain_json_text(request: web.Request) -> web.Response:
    return web.Response(text='{"a": 1}')


async def empty(request: web.Request) -> web.Response:
    return web.Response(body=b"", content_type="application/json")


async def binary(request: web.Request) -> web.Response:
    return web.Response(body=b"\x00\x01")


async def gzipped(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip.compress(b"zipped"),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"},
    )


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    app = web.Application()
    for path, handler in [
        ("/text", text),
        ("/problem", problem),
        ("/plain", plain_json_text),
        ("/empty", empty),
        ("/binary", binary),
        ("/gzip", gzipped),
    ]:
        app.router.add_get(path, handler)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_status_reason_version_method(client: TestClient) -> None:
    resp = await client.get("/text")
    assert resp.status == 200
    assert resp.reason == "OK"
    assert resp.version == (1, 1)
    assert resp.method == "GET"
    assert resp.request_info.method == "GET"
    assert repr(resp).endswith("[200 OK]>")


async def test_text_uses_the_charset(client: TestClient) -> None:
    resp = await client.get("/text")
    assert resp.content_type == "text/plain"
    assert resp.charset == "latin-1"
    assert await resp.read() == "héllo".encode("latin-1")
    assert await resp.text() == "héllo"
    assert await resp.text(encoding="utf-8", errors="replace") == "h\ufffdllo"


async def test_json_accepts_structured_suffix(client: TestClient) -> None:
    resp = await client.get("/problem")
    assert await resp.json() == {"error": "x"}


async def test_json_refuses_other_media_types(client: TestClient) -> None:
    resp = await client.get("/plain")
    with pytest.raises(ContentTypeError) as info:
        await resp.json()
    assert info.value.status == 200
    assert await resp.json(content_type=None) == {"a": 1}


async def test_json_of_empty_body_is_none(client: TestClient) -> None:
    assert await (await client.get("/empty")).json() is None


async def test_default_content_type(client: TestClient) -> None:
    resp = await client.get("/binary")
    assert resp.content_type == "application/octet-stream"
    assert resp.charset is None


async def test_content_encoding_is_decoded(client: TestClient) -> None:
    resp = await client.get("/gzip")
    assert resp.headers["Content-Encoding"] == "gzip"
    assert await resp.read() == b"zipped"


async def test_raise_for_status(client: TestClient) -> None:
    (await client.get("/text")).raise_for_status()
    resp = await client.get("/problem")
    with pytest.raises(ClientResponseError) as info:
        resp.raise_for_status()
    assert info.value.status == 422


async def test_release_works_awaited_or_not(client: TestClient) -> None:
    resp = await client.get("/text")
    resp.release()
    await resp.release()
    assert resp.closed


@pytest.mark.parametrize("transport", ["socket", "memory"])
async def test_a_small_body_reads_the_same_from_content_and_from_read(transport: str) -> None:
    app = web.Application()
    app.router.add_get("/text", text)
    async with TestClient(TestServer(app, transport=transport)) as client:
        resp = await client.get("/text")
        assert await resp.content.read(2) == b"h\xe9"
        assert await resp.read() == b"llo"  # what the stream had left, as in aiohttp
        assert await resp.content.read() == b""

        resp = await client.get("/text")
        assert await resp.text() == "héllo"
        assert resp.content.at_eof()  # read() took the body: the stream is empty
        assert await resp.content.read() == b""
        assert await resp.read() == "héllo".encode("latin-1")  # kept for later calls

        resp = await client.get("/text")
        assert [chunk async for chunk in resp.content.iter_chunked(2)] == [b"h\xe9", b"ll", b"o"]


@pytest.mark.parametrize("path", ["/text", "/gzip", "/empty", "/binary"])
async def test_a_repeated_answer_reads_as_the_first(client: TestClient, path: str) -> None:
    # the second comes with a head the parser has seen: taken whole when it can be
    answers = []
    for _ in range(3):
        resp = await client.get(path)
        fields = [item for item in resp.headers.items() if item[0] != "Date"]  # may tick
        raw = [item for item in resp.raw_headers if item[0] != b"Date"]
        answers.append((resp.status, fields, raw, await resp.read()))
    assert answers[1] == answers[0] and answers[2] == answers[0]
    bodies = {"/text": "héllo".encode("latin-1"), "/gzip": b"zipped", "/empty": b""}
    assert answers[0][3] == bodies.get(path, b"\x00\x01")


async def test_request_info_holds_the_fields_sent(client: TestClient) -> None:
    resp = await client.get("/text", headers={"X-Test": "1"})
    info = resp.request_info
    assert info.url == info.real_url == resp.url
    assert info.headers["X-Test"] == "1"
    assert info.headers["Host"] == f"{client.host}:{client.port}"
    plain = (await client.get("/text")).request_info.headers
    assert "X-Test" not in plain
    assert plain["Accept"] == "*/*"
    assert "User-Agent" in plain
