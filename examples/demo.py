"""The demo application the README's first command serves on http://127.0.0.1:8080.

A small real app: a chat over WebSockets, a form with a file upload, an activity feed over
Server-Sent Events, and static assets whose URLs carry a content hash (``append_version``), so
browsers may cache them forever. It is
written exactly as an aiohttp application would be, with `import web` in place of
`from aiohttp import web`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import web
from web_websocket import WSCloseCode

STATIC = Path(__file__).resolve().parent / "demo_static"
MAX_MESSAGE = 500  # characters of one chat message
KEEP_UPLOADS = 20  # the newest uploads listed on the page
FEED_BACKLOG = 100  # activity lines queued for one slow feed reader before it misses some


@dataclass(frozen=True)
class Upload:
    title: str
    filename: str
    size: int
    sha256: str


# The open chat WebSockets, and the uploads newest first.
CHAT: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("chat", set)
UPLOADS: web.AppKey[list[Upload]] = web.AppKey("uploads", list)
# One queue per open activity feed; None tells the feed to end (server shutdown).
FEEDS: web.AppKey[set[asyncio.Queue[str | None]]] = web.AppKey("feeds", set)

routes = web.RouteTableDef()

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>web demo</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body>
<h1>web demo</h1>
<section id="chat">
  <h2>Chat <small id="chat-status">connecting</small></h2>
  <ul id="messages"></ul>
  <form id="chat-form">
    <input id="chat-input" name="text" maxlength="{max_message}" autocomplete="off"
           placeholder="Say something" required>
    <button>Send</button>
  </form>
</section>
<section id="activity">
  <h2>Activity</h2>
  <ul id="activity-feed"></ul>
</section>
<section id="upload">
  <h2>Upload a file (up to 1 MiB)</h2>
  <form id="upload-form" action="/upload" method="post" enctype="multipart/form-data">
    <input name="title" placeholder="Title" required>
    <input id="upload-file" type="file" name="file" required>
    <button>Upload</button>
  </form>
  <table id="uploads">
    <tr><th>title</th><th>file</th><th>bytes</th><th>sha256</th></tr>
    {uploads}
  </table>
</section>
</body>
</html>
"""


ROW = "<tr class='upload'><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>"


def _cells(upload: Upload) -> tuple[str, str, int, str]:
    return html.escape(upload.title), html.escape(upload.filename), upload.size, upload.sha256


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    static = request.app.router["static"]
    rows = "\n    ".join(ROW.format(*_cells(u)) for u in request.app[UPLOADS])
    page = PAGE.format(
        css=static.url_for(filename="style.css"),
        js=static.url_for(filename="app.js"),
        max_message=MAX_MESSAGE,
        uploads=rows,
    )
    return web.Response(text=page, content_type="text/html")


@routes.get("/hello")
async def hello(request: web.Request) -> web.Response:
    name = request.query.get("name", "world")
    return web.Response(text=f"Hello, {name}!\n")


@routes.get("/users/{uid}")
async def user(request: web.Request) -> web.Response:
    return web.json_response({"uid": request.match_info["uid"], "path": request.path})


@routes.post("/echo")
async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(body=body, content_type=request.content_type)


def publish(app: web.Application, line: str) -> None:
    """Tell every activity feed; a feed whose backlog is full misses the line."""
    for queue in app[FEEDS]:
        if queue.qsize() < FEED_BACKLOG:
            queue.put_nowait(line)


@routes.get("/events")
async def activity(request: web.Request) -> web.EventSourceResponse:
    """Server-Sent Events: who joins or leaves the chat, what gets uploaded."""
    resp = web.EventSourceResponse()
    await resp.prepare(request)
    queue: asyncio.Queue[str | None] = asyncio.Queue()  # bounded by publish()
    feeds = request.app[FEEDS]
    feeds.add(queue)
    try:
        await resp.send(f"{len(request.app[CHAT])} in the chat", event="activity")
        while (line := await queue.get()) is not None:
            await resp.send(line, event="activity")
    except ConnectionResetError:  # the browser went away
        pass
    finally:
        feeds.discard(queue)
    return resp


@routes.get("/ws")
async def chat(request: web.Request) -> web.WebSocketResponse:
    """Every text message goes to every open chat socket, the sender's included."""
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    clients = request.app[CHAT]
    clients.add(ws)
    publish(request.app, f"{len(clients)} in the chat")
    try:
        async for msg in ws:
            if msg.type != web.WSMsgType.TEXT:
                continue
            text = str(msg.data).strip()[:MAX_MESSAGE]
            if not text:
                continue
            payload = json.dumps({"text": text})
            for client in list(clients):
                if not client.closed:
                    await client.send_str(payload)
    finally:
        clients.discard(ws)
        publish(request.app, f"{len(clients)} in the chat")
    return ws


@routes.post("/upload")
async def upload(request: web.Request) -> web.Response:
    """Hash the uploaded file, remember it, and send the browser back to the page (303)."""
    form = await request.post()
    field = form.get("file")
    title = str(form.get("title", "")).strip()
    if not isinstance(field, web.FileField) or not field.filename:
        raise web.HTTPBadRequest(text="choose a file to upload\n")
    if not title:
        raise web.HTTPBadRequest(text="give the upload a title\n")
    data = field.file.read()
    uploads = request.app[UPLOADS]
    uploads.insert(0, Upload(title, field.filename, len(data), hashlib.sha256(data).hexdigest()))
    del uploads[KEEP_UPLOADS:]
    publish(request.app, f"{title} ({len(data)} bytes) uploaded")
    raise web.HTTPSeeOther("/#uploads")


async def close_chats_and_feeds(app: web.Application) -> None:
    """Open sockets and feeds would hold the graceful shutdown for its whole timeout."""
    for queue in app[FEEDS]:
        queue.put_nowait(None)
    clients = app[CHAT]
    for ws in list(clients):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


def make_app() -> web.Application:
    app = web.Application()
    app[CHAT] = set()
    app[UPLOADS] = []
    app[FEEDS] = set()
    app.add_routes(routes)
    app.router.add_static("/static", STATIC, name="static", append_version=True)
    app.on_shutdown.append(close_chats_and_feeds)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    try:
        web.run_app(make_app(), host=args.host, port=args.port)
    except OSError as exc:
        print(
            f"demo: error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}"
            " (is another server running? pick another --port)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
