"""The demo of examples/ in a real browser: headless Chromium driven over its DevTools protocol.

Two pages chat over WebSockets, one uploads a file through the form, the activity feed (Server-
Sent Events) reports both, the versioned static assets load (the script runs, the stylesheet
applies), and a PNG screenshot of the page is taken and
checked to be a real, non-blank image. Debian's chromium is installed with apt-get when missing
(as the nginx test does); the test is skipped, saying why, only if that cannot be done.
"""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import debian_tool, free_port
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1000,900",
)
TIMEOUT = 15.0

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Debian's chromium")


@pytest.fixture(scope="module")
def chromium() -> str:
    return debian_tool("chromium", ("chromium", "chromium-browser"))


class DevTools:
    """A minimal DevTools protocol client: one browser connection, flat sessions per page."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        while True:
            reply = json.loads(self._ws.recv(timeout=TIMEOUT))
            if reply.get("id") != self._next_id:
                self._events.append(reply)
                continue
            if "error" in reply:
                raise AssertionError(f"{method} failed: {reply['error']}")
            result: dict[str, Any] = reply["result"]
            return result

    def wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    return
            assert time.monotonic() < deadline, f"no {method} event"
            self._events.append(json.loads(self._ws.recv(timeout=TIMEOUT)))

    def open_page(self, url: str) -> str:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session: str = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session)
        self.navigate(session, url)
        return session

    def navigate(self, session: str, url: str) -> None:
        self.call("Page.navigate", session, url=url)
        self.wait_event("Page.loadEventFired", session)

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_true(self, session: str, expression: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not self.evaluate(session, expression):
            assert time.monotonic() < deadline, f"never true: {expression}"
            time.sleep(0.05)


@pytest.fixture
def demo_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + TIMEOUT
    while True:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            httpx.get(url + "/hello", timeout=2)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.05)
    yield url
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Chromium writes the port it chose and the browser's path once it listens.
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and len(active.read_text().split()) == 2):
            assert proc.poll() is None, f"chromium exited with {proc.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port, path = active.read_text().split()
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30) as ws:
            yield DevTools(ws)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def png_pixels_vary(png: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values of the decoded image data."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, data, width, height = 8, b"", 0, 0
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        body = png[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            data += body
        offset += 12 + length
    return width, height, len(set(zlib.decompress(data)))


def test_demo_in_chromium(browser: DevTools, demo_url: str, tmp_path: Path) -> None:
    alice = browser.open_page(demo_url + "/")
    bob = browser.open_page(demo_url + "/")
    connected = "document.getElementById('chat-status').textContent === 'connected'"
    browser.wait_true(alice, connected)  # app.js ran and its WebSocket is open
    browser.wait_true(bob, connected)

    feed = "[...document.querySelectorAll('#activity-feed li')].map(li => li.textContent)"
    browser.wait_true(alice, f"{feed}.includes('2 in the chat')")  # Bob joined: an SSE event

    # Static assets: versioned URLs, and the stylesheet really applies.
    script = browser.evaluate(alice, "document.querySelector('script[src]').getAttribute('src')")
    assert script.startswith("/static/app.js?v=")
    color = browser.evaluate(alice, "getComputedStyle(document.querySelector('h1')).color")
    assert color == "rgb(43, 89, 195)"

    # Chat: what Alice sends reaches Bob's page (and her own).
    browser.evaluate(
        alice,
        "document.getElementById('chat-input').value = 'hello from alice';"
        "document.getElementById('chat-form').requestSubmit()",
    )
    seen = (
        "[...document.querySelectorAll('#messages li')]"
        ".some(li => li.textContent === 'hello from alice')"
    )
    browser.wait_true(bob, seen)
    browser.wait_true(alice, seen)

    # Upload: the browser's own multipart encoding of a real file input.
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"uploaded through chromium\n" * 100)
    document = browser.call("DOM.getDocument", bob)["root"]["nodeId"]
    node = browser.call("DOM.querySelector", bob, nodeId=document, selector="#upload-file")
    browser.call("DOM.setFileInputFiles", bob, files=[str(upload)], nodeId=node["nodeId"])
    browser.evaluate(bob, "document.querySelector('#upload-form [name=title]').value = 'Notes'")
    browser.evaluate(bob, "document.getElementById('upload-form').submit()")
    browser.wait_event("Page.loadEventFired", bob)  # the 303 brings the browser back to /
    row = browser.evaluate(bob, "document.querySelector('tr.upload').innerText")
    digest = hashlib.sha256(upload.read_bytes()).hexdigest()
    assert row.split() == ["Notes", "notes.txt", str(upload.stat().st_size), digest]
    browser.wait_true(alice, f"{feed}.includes('Notes ({upload.stat().st_size} bytes) uploaded')")

    # Screenshot: a PNG of the real rendering (Alice's page, with the chat message on it).
    shot = base64.b64decode(browser.call("Page.captureScreenshot", alice, format="png")["data"])
    (tmp_path / "demo.png").write_bytes(shot)  # kept in pytest's tmp folder for a look
    width, height, distinct = png_pixels_vary(shot)
    assert width >= 800 and height >= 600
    assert distinct > 16, "the screenshot is blank"
    browser.navigate(alice, demo_url + "/")  # Alice reloads: the upload is listed for her too
    assert browser.evaluate(alice, "document.querySelectorAll('tr.upload').length") == 1
