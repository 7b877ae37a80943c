"""aiohttp's extensions, each in its documented example, on our server through the compat layer.

The apps run in one subprocess (serve_extension.py), each on its own port, with
``web_aiohttp_compat`` enabled, and are checked over real sockets with httpx and the websockets
library; a traceback in our server's output fails the run.
Each check also runs against aiohttp's own server (the layer off), so what the tests expect is
aiohttp's behaviour, not only ours.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from support import free_port

HERE = Path(__file__).resolve().parent


APPS = ("session", "jinja2", "security", "cors", "sse", "remotes", "pydantic", "sockjs", "aiojobs")


@pytest.fixture(scope="module", params=["web", "aiohttp"])
def served(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Every example app on its own port, in one process: ``web`` is our server through the
    layer, ``aiohttp`` aiohttp's own, as the reference. Yields name -> base URL."""
    server = str(request.param)
    ports = {name: free_port() for name in APPS}
    env = {k: v for k, v in os.environ.items() if k != "WEB_AIOHTTP_COMPAT"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "serve_extension.py"),
            server,
            *(f"{name}={port}" for name, port in ports.items()),
        ],
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
            pytest.fail(f"the {server} apps did not start: {line!r}\n{err}")
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    if server == "web":  # aiohttp logs a traceback for a client gone mid-stream; we do not
        assert "Traceback" not in err, err
    assert proc.returncode == 0, err


def test_aiohttp_command_line_serves_on_ours() -> None:
    """``WEB_AIOHTTP_COMPAT=1 python -m aiohttp.web -H ... -P ... module:init``."""
    port = free_port()
    env = {**os.environ, "WEB_AIOHTTP_COMPAT": "1"}
    cmd = [sys.executable, "-m", "aiohttp.web", "-H", "127.0.0.1", "-P", str(port)]
    proc = subprocess.Popen(
        [*cmd, "apps.session_app:init"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the command line did not start serving")
        assert reply.text == "Last visited: None"
        assert " web/" in reply.headers["server"]  # our server, not aiohttp's
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err


def test_aiohttp_session_last_visit_and_login(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["session"]) as client:
        first = client.get("/")
        assert first.text == "Last visited: None"
        assert "AIOHTTP_SESSION" in first.headers["set-cookie"]
        second = client.get("/")
        assert second.text.startswith("Last visited: ") and "None" not in second.text
        assert client.get("/me").status_code == 401
        login = client.post("/login", data={"user": "ada"}, follow_redirects=True)
        assert (login.status_code, login.text) == (200, "Hello, ada (login 1)")


def test_aiohttp_jinja2_function_and_class_based_view(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["jinja2"]) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        assert index.text == "<h1>Hello &lt;jinja2&gt;</h1><p>/</p>"
        view = client.get("/hello/ada")
        assert (view.status_code, view.text) == (200, "<p>view ada via GET</p>")
        assert client.get("/direct").text == "<h1>direct</h1><p>/direct</p>"
        assert client.post("/hello/ada").status_code == 405


def test_aiohttp_security_remember_check_forget(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["security"]) as client:
        assert client.get("/").text == "user: None"
        assert client.get("/write").status_code == 401
        assert client.get("/login/bob", follow_redirects=True).text == "user: bob"
        assert client.get("/write").status_code == 403
        assert client.get("/login/alice", follow_redirects=True).text == "user: alice"
        assert client.get("/write").text == "written"
        assert client.get("/logout").text == "bye"
        assert client.get("/").text == "user: None"


def test_aiohttp_cors_preflight_and_simple_request(served: dict[str, str]) -> None:
    origin = {"Origin": "http://client.example.org"}
    with httpx.Client(base_url=served["cors"]) as client:
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


def test_aiohttp_sse_stream_arrives_whole(served: dict[str, str]) -> None:
    with (
        httpx.Client(base_url=served["sse"]) as client,
        client.stream("GET", "/hello", headers={"Accept": "text/event-stream"}) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        body = resp.read().decode()
    assert body.count("data: event") == 3
    assert "id: 2\r\ndata: event 2" in body
    assert body.rstrip().endswith("event: end\r\ndata: done")


def test_aiohttp_sse_client_going_away_is_quiet(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["sse"]) as client:
        with client.stream("GET", "/forever") as resp:
            first = next(resp.iter_lines())
        assert first == "data: tick 0"
        assert client.get("/hello").status_code == 200  # still serving after the drop


def test_aiohttp_remotes_x_forwarded_and_secure(served: dict[str, str]) -> None:
    proxy = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "example.org",
    }
    with httpx.Client(base_url=served["remotes"]) as client:
        direct = client.get("/")  # plain HTTP, no proxy: Secure redirects to HTTPS
        assert direct.status_code == 308
        assert direct.headers["location"] == "https://127.0.0.1/"
        proxied = client.get("/", headers=proxy)
    assert proxied.json() == {"remote": "203.0.113.7", "host": "example.org", "scheme": "https"}
    assert proxied.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert proxied.headers["x-frame-options"] == "DENY"


def test_aiohttp_pydantic_validation_and_exceptions(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["pydantic"]) as client:
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
        assert set(spec["paths"]) == {"/article", "/items/{item_id}"}
        page = client.get("/oas")
        assert page.status_code == 200 and "swagger" in page.text.lower()


async def test_sockjs_websocket_echo(served: dict[str, str]) -> None:
    """sockjs's websocket transport (it reads WSMsgType's lowercase aliases)."""
    base = served["sockjs"].replace("http://", "ws://")
    async with websockets.connect(base + "/sockjs/000/s2/websocket") as ws:
        assert await asyncio.wait_for(ws.recv(), 5) == "o"
        await ws.send(json.dumps(["over ws"]))
        assert await asyncio.wait_for(ws.recv(), 5) == 'a["echo: over ws"]'
    async with websockets.connect(base + "/sockjs/websocket") as raw:
        await raw.send("raw hello")
        assert await asyncio.wait_for(raw.recv(), 5) == "echo: raw hello"


def test_sockjs_info_and_xhr_echo(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["sockjs"]) as client:
        info = client.get("/sockjs/info").json()
        assert info["websocket"] is True
        assert client.post("/sockjs/000/s1/xhr").text == "o\n"
        sent = client.post("/sockjs/000/s1/xhr_send", content=json.dumps(["hi"]))
        assert sent.status_code == 204
        assert client.post("/sockjs/000/s1/xhr").text == 'a["echo: hi"]\n'


def test_aiojobs_spawn_and_atomic(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["aiojobs"]) as client:
        assert client.get("/start/one").text == "spawned"
        assert client.get("/atomic").text == "atomic"
        for _ in range(50):
            state = client.get("/done").json()
            if state["done"] == ["one"]:
                break
        assert state["done"] == ["one"]
