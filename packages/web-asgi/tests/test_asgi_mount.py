"""add_asgi: a raw ASGI app under a prefix of our application, on our own server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from web_app import Application
from web_asgi import AsgiResource, Message, Receive, Scope, Send, add_asgi

SCOPES: list[Scope] = []
LIFESPAN: list[str] = []


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            LIFESPAN.append(message["type"])
            scope["state"]["ready"] = True
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    SCOPES.append(scope)
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    text = json.dumps({"path": scope["path"], "body": body.decode(), "state": scope["state"]})
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-raw", b"1")]})
    await send({"type": "http.response.body", "body": text.encode()})


@asynccontextmanager
async def served(app: Application) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    app._set_loop(loop)
    await app.startup()
    app.freeze()
    server = app._make_handler()
    srv = await loop.create_server(server, "127.0.0.1", 0)
    try:
        yield srv.sockets[0].getsockname()[1]
    finally:
        srv.close()
        await server.shutdown(1.0)
        await app.shutdown()
        await app.cleanup()


async def exchange(port: int, request: bytes) -> tuple[bytes, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 5)
    writer.close()
    return lines[0].encode(), headers, body


async def test_mounted_app_gets_a_scope_below_the_prefix() -> None:
    SCOPES.clear()
    LIFESPAN.clear()
    app = Application()
    resource = add_asgi(app, "/raw/", raw_app)
    assert isinstance(resource, AsgiResource)
    assert str(resource.url_for("/a")) == "/raw/a"
    assert resource.get_info()["prefix"] == "/raw"
    async with served(app) as port:
        assert LIFESPAN == ["lifespan.startup"]
        status, headers, body = await exchange(
            port,
            b"POST /raw/x%20y?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd",
        )
        assert status == b"HTTP/1.1 201 Created"
        assert headers["x-raw"] == "1"
        assert json.loads(body) == {"path": "/raw/x y", "body": "abcd", "state": {"ready": True}}
        [scope] = SCOPES
        assert scope["root_path"] == "/raw"
        assert scope["raw_path"] == b"/raw/x%20y"
        assert scope["query_string"] == b"q=1"
        assert scope["method"] == "POST"
        assert (b"host", b"h") in scope["headers"]
        assert scope["client"][0] == "127.0.0.1"
        outside = await exchange(port, b"GET /rawer HTTP/1.1\r\nHost: h\r\n\r\n")
        assert outside[0] == b"HTTP/1.1 404 Not Found"
    assert LIFESPAN == ["lifespan.startup", "lifespan.shutdown"]


async def test_application_add_asgi_delegates_here() -> None:
    assert Application.asgi_mount is add_asgi  # registered when web_asgi is imported
    app = Application()
    resource = app.add_asgi("/m", raw_app)
    assert isinstance(resource, AsgiResource)
    assert resource in app.router.resources()


async def test_app_without_lifespan_is_left_alone() -> None:
    async def no_lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError("http only")
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = Application()
    add_asgi(app, "/plain", no_lifespan)
    async with served(app) as port:
        status, _, body = await exchange(port, b"GET /plain HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (status, body) == (b"HTTP/1.1 200 OK", b"ok")


async def test_app_that_returns_without_answering_is_500() -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise ValueError("no lifespan")

    app = Application()
    add_asgi(app, "/silent", silent)
    async with served(app) as port:
        status, _, _ = await exchange(port, b"GET /silent/x HTTP/1.1\r\nHost: h\r\n\r\n")
    assert status == b"HTTP/1.1 500 Internal Server Error"


@pytest.mark.parametrize("prefix", ["", "/", "nope"])
def test_bad_prefixes(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        add_asgi(Application(), prefix, raw_app)


def test_only_callables_mount() -> None:
    thing: Any = "not an app"
    with pytest.raises(TypeError, match="ASGI application"):
        add_asgi(Application(), "/x", thing)


async def test_failing_lifespan_startup_fails_our_startup() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        message: Message = {"type": "lifespan.startup.failed", "message": "db down"}
        await send(message)

    app = Application()
    add_asgi(app, "/b", broken)
    with pytest.raises(RuntimeError, match="db down"):
        await app.startup()
    await app.cleanup()


async def test_client_leaving_mid_body_is_http_disconnect() -> None:
    seen: list[str] = []
    done = asyncio.Event()

    async def reader(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise ValueError("no lifespan")
        try:
            while True:
                message = await receive()
                seen.append(message["type"])
                if message["type"] == "http.disconnect" or not message.get("more_body"):
                    return
        finally:
            done.set()

    app = Application()
    add_asgi(app, "/r", reader)
    async with served(app) as port:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()
        await asyncio.wait_for(done.wait(), 5)
    assert seen[-1] == "http.disconnect"
