"""FileResponse under ASGI, in process: ``http.response.pathsend`` where the server offers it,
chunked reads otherwise (web-static and web-asgi together)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import web
import web_asgi

Message = dict[str, Any]


def app_for(folder: Path) -> web_asgi.AsgiApp:
    app = web.Application()
    app.router.add_static("/static", folder)
    return web_asgi.asgi_app(app)


async def call(asgi: web_asgi.AsgiApp, path: str, **scope_extra: Any) -> list[Message]:
    sent: list[Message] = []
    headers = [(b"host", b"x"), *scope_extra.pop("headers", [])]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        **scope_extra,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await asgi(scope, receive, send)
    return sent


async def test_large_file_goes_by_path_where_offered(tmp_path: Path) -> None:
    data = os.urandom(100_000)
    (tmp_path / "big.bin").write_bytes(data)
    asgi = app_for(tmp_path)
    offered: dict[str, Any] = {"http.response.pathsend": {}}
    start, pathsend = await call(asgi, "/static/big.bin", extensions=offered)
    assert start["type"] == "http.response.start"
    assert (b"content-length", b"100000") in start["headers"]
    assert pathsend == {"type": "http.response.pathsend", "path": str(tmp_path / "big.bin")}
    # A range is not a whole file: read and sent in chunks even where pathsend is offered.
    ranged = await call(
        asgi, "/static/big.bin", extensions=offered, headers=[(b"range", b"bytes=0-9")]
    )
    assert [m["type"] for m in ranged][-1] == "http.response.body"
    assert b"".join(m.get("body", b"") for m in ranged) == data[:10]
    # Without the extension: chunked reads.
    plain = await call(asgi, "/static/big.bin")
    assert {m["type"] for m in plain} == {"http.response.start", "http.response.body"}
    assert b"".join(m.get("body", b"") for m in plain) == data


async def test_small_file_leaves_with_its_head(tmp_path: Path) -> None:
    (tmp_path / "small.txt").write_text("tiny\n")
    sent = await call(
        app_for(tmp_path), "/static/small.txt", extensions={"http.response.pathsend": {}}
    )
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == b"tiny\n"
