"""``web.EventSourceResponse`` in a real browser: headless Chromium's ``EventSource``.

The page opens an EventSource, the server sends two events and ends the stream; the
browser reconnects on its own after ``retry`` ms with ``Last-Event-ID``, the server resumes
from it, and the page posts what it saw back and closes the source, which the server
must notice. The app also runs the compression middleware, so Chromium decodes a
compressed stream flushed event by event. Chromium is installed with apt-get when missing.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import web
from support import debian_tool, serve

PAGE = """<!doctype html><title>sse</title><script>
const seen = [];
const source = new EventSource("/events");
function record(e) {
  seen.push({type: e.type, data: e.data, id: e.lastEventId});
  if (seen.length === 3) {
    source.close();
    fetch("/report", {method: "POST", body: JSON.stringify(seen)});
  }
}
source.addEventListener("greeting", record);
source.onmessage = record;
</script>"""

STATE = web.AppKey("state", dict)


@pytest.fixture(scope="module")
def chromium() -> str:
    return debian_tool("chromium", ("chromium", "chromium-browser"))


FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",  # keeps the browser running on the page
)


@pytest.fixture
def open_page(chromium: str, tmp_path: Path) -> Iterator[Callable[[str], None]]:
    """Open a URL in a headless Chromium that lives until the test ends."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(url: str) -> None:
        profile = f"--user-data-dir={tmp_path / 'profile'}"
        procs.append(
            subprocess.Popen(
                [chromium, *FLAGS, profile, url],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def make_app() -> web.Application:
    app = web.Application(middlewares=[web.compression_middleware()])
    app[STATE] = {"ids": [], "report": asyncio.Event(), "gone": asyncio.Event()}

    async def page(request: web.Request) -> web.StreamResponse:
        return web.Response(text=PAGE, content_type="text/html")

    async def events(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        resp = web.EventSourceResponse(ping_interval=0.5)
        await resp.prepare(request)
        state["ids"].append(resp.last_event_id)
        state["encoding"] = resp.headers.get("Content-Encoding")
        if resp.last_event_id is None:
            await resp.send("hello", event="greeting", id="1", retry=100)
            await resp.send("two\nlines", id="2")
            await resp.write_eof()  # the browser reconnects by itself
            return resp
        await resp.send(f"resumed after {resp.last_event_id}", id="3")
        await asyncio.wait_for(resp.wait_closed(), 10)
        state["gone"].set()
        return resp

    async def report(request: web.Request) -> web.StreamResponse:
        request.app[STATE]["seen"] = await request.json()
        request.app[STATE]["report"].set()
        return web.Response(text="thanks")

    app.router.add_get("/", page)
    app.router.add_get("/events", events)
    app.router.add_post("/report", report)
    return app


async def test_chromium_event_source(open_page: Callable[[str], None]) -> None:
    app = make_app()
    state = app[STATE]
    async with serve(app) as url:
        open_page(url + "/")
        await asyncio.wait_for(state["report"].wait(), 30)
        await asyncio.wait_for(state["gone"].wait(), 10)
    assert state["seen"] == [
        {"type": "greeting", "data": "hello", "id": "1"},
        {"type": "message", "data": "two\nlines", "id": "2"},
        {"type": "message", "data": "resumed after 2", "id": "3"},
    ]
    assert state["ids"] == [None, "2"]
    assert state["encoding"] in ("zstd", "br", "gzip")  # what Chromium offered and we chose
