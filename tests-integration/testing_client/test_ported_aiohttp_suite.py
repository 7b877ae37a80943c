# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""A test module written for pytest-aiohttp, run on web-testing's plugin.

Only the imports differ from the aiohttp original (``from aiohttp import FormData, web``
became ``import web`` and ``from web import FormData``):
the fixtures (``aiohttp_client``, ``aiohttp_server``, ``aiohttp_raw_server``,
``aiohttp_unused_port``) and every call on the client and its responses are aiohttp's.
test_ported_suite_in_memory.py runs this same file again over the in-memory transport.
"""

import json
import pathlib

import web
from web import FormData

routes = web.RouteTableDef()


@routes.get("/")
async def index(request):
    return web.Response(text="Hello, world")


@routes.get("/json")
async def as_json(request):
    return web.json_response({"name": request.query.get("name", "anon")})


@routes.get("/headers")
async def headers(request):
    resp = web.Response(text="h")
    resp.headers.add("X-Multi", "one")
    resp.headers.add("X-Multi", "two")
    resp.headers["X-Got"] = request.headers.get("X-Sent", "")
    return resp


@routes.get("/login")
async def login(request):
    resp = web.Response(text="logged in")
    resp.set_cookie("session", "s3cret", httponly=True, max_age=3600)
    resp.set_cookie("theme", "dark")
    return resp


@routes.get("/whoami")
async def whoami(request):
    return web.json_response(dict(request.cookies))


@routes.get("/logout")
async def logout(request):
    resp = web.Response(text="bye")
    resp.del_cookie("session")
    return resp


@routes.post("/upload")
async def upload(request):
    reader = await request.multipart()
    parts = []
    async for part in reader:
        data = await part.read()
        parts.append(
            {
                "name": part.name,
                "filename": part.filename,
                "type": part.headers.get("Content-Type"),
                "size": len(data),
                "head": data[:12].decode("latin-1"),
            }
        )
    return web.json_response(parts)


@routes.post("/form")
async def form(request):
    post = await request.post()
    return web.json_response({key: str(post[key]) for key in post})


@routes.get("/stream")
async def stream(request):
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    for i in range(100):
        await resp.write(f"line {i}\n".encode())
    await resp.write_eof()
    return resp


@routes.get("/old")
async def old(request):
    raise web.HTTPFound("/json?name=redirected")


@routes.get("/ws")
async def ws_handler(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close()
            else:
                await ws.send_json({"echo": msg.data})
    return ws


def create_app():
    app = web.Application()
    app.add_routes(routes)
    return app


async def test_hello(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/")
    assert resp.status == 200
    text = await resp.text()
    assert "Hello, world" in text


async def test_json_and_params(aiohttp_client):
    client = await aiohttp_client(create_app())
    async with client.get("/json", params={"name": "ann"}) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        assert await resp.json() == {"name": "ann"}


async def test_repeated_headers(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/headers", headers={"X-Sent": "yes"})
    assert resp.headers.getall("X-Multi") == ["one", "two"]
    assert resp.headers["x-got"] == "yes"


async def test_cookies_across_requests(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/login")
    assert resp.cookies["session"].value == "s3cret"
    assert resp.cookies["session"]["httponly"] is True
    assert {c.key for c in client.session.cookie_jar} == {"session", "theme"}
    resp = await client.get("/whoami")
    assert await resp.json() == {"session": "s3cret", "theme": "dark"}
    await client.get("/logout")
    resp = await client.get("/whoami")
    assert await resp.json() == {"theme": "dark"}


async def test_upload_open_file(aiohttp_client, tmp_path: pathlib.Path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n" * 1000)
    client = await aiohttp_client(create_app())
    resp = await client.post("/upload", data={"file": open(path, "rb"), "note": "hi"})
    assert resp.status == 200
    parts = await resp.json()
    assert parts[0] == {
        "name": "file",
        "filename": "report.csv",
        "type": "text/csv",
        "size": 8000,
        "head": "a,b\n1,2\na,b\n",
    }
    assert parts[1]["name"] == "note"
    assert parts[1]["head"] == "hi"


async def test_upload_formdata(aiohttp_client):
    client = await aiohttp_client(create_app())
    data = FormData()
    data.add_field("title", "holiday")
    data.add_field("photo", b"\x89PNG\r\n\x1a\nrest", filename="sea.png", content_type="image/png")
    resp = await client.post("/upload", data=data)
    parts = await resp.json()
    assert [p["name"] for p in parts] == ["title", "photo"]
    assert parts[1]["filename"] == "sea.png"
    assert parts[1]["type"] == "image/png"
    assert parts[1]["size"] == 12


async def test_urlencoded_form(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.post("/form", data={"a": "1", "b": "two words"})
    assert await resp.json() == {"a": "1", "b": "two words"}


async def test_streaming_content(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/stream")
    assert await resp.content.readline() == b"line 0\n"
    rest = b""
    async for chunk in resp.content.iter_chunked(64):
        rest += chunk
    assert rest.endswith(b"line 99\n")
    assert rest.count(b"\n") == 99


async def test_redirects(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/old")
    assert resp.status == 200
    assert await resp.json() == {"name": "redirected"}
    assert len(resp.history) == 1
    resp = await client.get("/old", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/json?name=redirected"


async def test_websocket(aiohttp_client):
    client = await aiohttp_client(create_app())
    ws = await client.ws_connect("/ws")
    await ws.send_str("ping")
    assert await ws.receive_json() == {"echo": "ping"}
    await ws.send_str("again")
    msg = await ws.receive()
    assert msg.type == web.WSMsgType.TEXT
    assert json.loads(msg.data) == {"echo": "again"}
    await ws.send_str("close")
    async for _ in ws:
        raise AssertionError("no message after close")
    assert ws.closed
    await ws.close()


async def test_server_and_raw_server(aiohttp_server, aiohttp_raw_server, aiohttp_client):
    server = await aiohttp_server(create_app())
    client = await aiohttp_client(server)
    assert (await client.get("/")).status == 200

    async def handler(request):
        return web.Response(text="raw " + request.path)

    raw = await aiohttp_raw_server(handler)
    raw_client = await aiohttp_client(raw)
    assert await (await raw_client.get("/p")).text() == "raw /p"


def test_unused_port(aiohttp_unused_port):
    port = aiohttp_unused_port()
    assert isinstance(port, int)
    assert 0 < port < 65536
