"""aiohttp's extensions, each in its documented example, on our server through the compat layer.

Every app runs in its own process (serve_extension.py) with ``web_aiohttp_compat`` enabled and
is checked over real sockets with httpx; a traceback in the server's output fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import websockets
from support import free_port

HERE = Path(__file__).resolve().parent


@contextmanager
def extension(name: str, *, by_env: bool = False) -> Iterator[str]:
    """Serve apps/<name>_app.py in a subprocess; yield its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "WEB_AIOHTTP_COMPAT"}
    if by_env:
        env["WEB_AIOHTTP_COMPAT"] = "1"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve_extension.py"), name, str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "READY":
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"{name} did not start: {line!r}\n{err}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err, err
    assert proc.returncode == 0, err


def test_aiohttp_session_last_visit_and_login() -> None:
    with extension("session") as base, httpx.Client(base_url=base) as client:
        first = client.get("/")
        assert first.text == "Last visited: None"
        assert "AIOHTTP_SESSION" in first.headers["set-cookie"]
        second = client.get("/")
        assert second.text.startswith("Last visited: ") and "None" not in second.text
        assert client.get("/me").status_code == 401
        login = client.post("/login", data={"user": "ada"}, follow_redirects=True)
        assert (login.status_code, login.text) == (200, "Hello, ada (login 1)")


def test_aiohttp_jinja2_function_and_class_based_view() -> None:
    with extension("jinja2") as base, httpx.Client(base_url=base) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        assert index.text == "<h1>Hello &lt;jinja2&gt;</h1><p>/</p>"
        view = client.get("/hello/ada")
        assert (view.status_code, view.text) == (200, "<p>view ada via GET</p>")
        assert client.get("/direct").text == "<h1>direct</h1><p>/direct</p>"
        assert client.post("/hello/ada").status_code == 405


def test_aiohttp_security_remember_check_forget() -> None:
    with extension("security") as base, httpx.Client(base_url=base) as client:
        assert client.get("/").text == "user: None"
        assert client.get("/write").status_code == 401
        assert client.get("/login/bob", follow_redirects=True).text == "user: bob"
        assert client.get("/write").status_code == 403
        assert client.get("/login/alice", follow_redirects=True).text == "user: alice"
        assert client.get("/write").text == "written"
        assert client.get("/logout").text == "bye"
        assert client.get("/").text == "user: None"


def test_aiohttp_cors_preflight_and_simple_request() -> None:
    origin = {"Origin": "http://client.example.org"}
    with extension("cors") as base, httpx.Client(base_url=base) as client:
        simple = client.get("/hello", headers=origin)
        assert simple.text == "Hello!"
        assert simple.headers["access-control-allow-origin"] == "http://client.example.org"
        assert simple.headers["access-control-allow-credentials"] == "true"
        assert simple.headers["access-control-expose-headers"] == "X-Custom-Server-Header"
        preflight = client.options(
            "/hello",
            headers={
                **origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-Requested-With",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-methods"] == "GET"
        assert preflight.headers["access-control-max-age"] == "3600"
        refused = client.options(
            "/hello",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert refused.status_code == 403
        view = client.get("/view", headers={"Origin": "http://any.example"})
        assert view.text == "view"
        assert view.headers["access-control-allow-origin"] == "http://any.example"


def test_aiohttp_sse_stream_arrives_whole() -> None:
    with (
        extension("sse", by_env=True) as base,
        httpx.Client(base_url=base) as client,
        client.stream("GET", "/hello", headers={"Accept": "text/event-stream"}) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        body = resp.read().decode()
    assert body.count("data: event") == 3
    assert "id: 2\r\ndata: event 2" in body
    assert body.rstrip().endswith("event: end\r\ndata: done")


def test_aiohttp_remotes_x_forwarded() -> None:
    with extension("remotes") as base, httpx.Client(base_url=base) as client:
        direct = client.get("/").json()
        assert direct["remote"] == "127.0.0.1" and direct["scheme"] == "http"
        proxied = client.get(
            "/",
            headers={
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "example.org",
            },
        ).json()
    assert proxied == {"remote": "203.0.113.7", "host": "example.org", "scheme": "https"}


def test_aiohttp_pydantic_validation_and_exceptions() -> None:
    with extension("pydantic") as base, httpx.Client(base_url=base) as client:
        created = client.post("/article", json={"name": "intro", "nb_page": 3})
        assert created.json() == {"name": "intro", "number_of_page": 3}
        invalid = client.post("/article", json={"nb_page": "many"})
        assert invalid.status_code == 400
        assert {error["loc"][0] for error in invalid.json()} == {"name", "nb_page"}
        assert client.get("/article?with_comments=yes").json() == {"with_comments": True}
        assert client.get("/items/7").json() == {"item": 7}
        assert client.get("/items/x").status_code == 400
        missing = client.get("/items/0")
        assert (missing.status_code, missing.text) == (404, "no item 0")
        spec = client.get("/oas/spec").json()
        assert "/article" in spec["paths"]


async def test_sockjs_websocket_echo() -> None:
    """sockjs's websocket transport (it reads WSMsgType's lowercase aliases)."""
    with extension("sockjs") as base:
        url = base.replace("http://", "ws://") + "/sockjs/000/s2/websocket"
        async with websockets.connect(url) as ws:
            assert await asyncio.wait_for(ws.recv(), 5) == "o"
            await ws.send(json.dumps(["over ws"]))
            assert await asyncio.wait_for(ws.recv(), 5) == 'a["echo: over ws"]'
        raw_url = base.replace("http://", "ws://") + "/sockjs/websocket"
        async with websockets.connect(raw_url) as raw:
            await raw.send("raw hello")
            assert await asyncio.wait_for(raw.recv(), 5) == "echo: raw hello"


def test_sockjs_info_and_xhr_echo() -> None:
    with extension("sockjs") as base, httpx.Client(base_url=base) as client:
        info = client.get("/sockjs/info").json()
        assert info["websocket"] is True
        assert client.post("/sockjs/000/s1/xhr").text == "o\n"
        sent = client.post("/sockjs/000/s1/xhr_send", content=json.dumps(["hi"]))
        assert sent.status_code == 204
        assert client.post("/sockjs/000/s1/xhr").text == 'a["echo: hi"]\n'


def test_aiojobs_spawn_and_atomic() -> None:
    with extension("aiojobs", by_env=True) as base, httpx.Client(base_url=base) as client:
        assert client.get("/start/one").text == "spawned"
        assert client.get("/atomic").text == "atomic"
        for _ in range(50):
            state = client.get("/done").json()
            if state["done"] == ["one"]:
                break
        assert state["done"] == ["one"]
