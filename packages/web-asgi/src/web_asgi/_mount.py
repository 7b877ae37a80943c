"""``add_asgi(app, prefix, asgi)``: an ASGI application served under a prefix of ours.

:class:`AsgiResource` is a prefix resource (like a static directory) whose one route, for
every method, runs the ASGI application with a scope built from our request: ``root_path``
is the prefix, ``path`` the full path (the ASGI spec's convention: the mounted app routes
on ``path`` minus ``root_path``). Our middlewares and ``on_response_prepare`` see its
requests and responses as any other route's.

* ``http``: ``receive`` yields the body as our request reads it (so ``client_max_size`` does
  not apply: the mounted app reads what it wants), then ``http.disconnect`` once the
  response is complete; ``send`` maps ``http.response.start`` / ``http.response.body`` onto
  a ``StreamResponse`` (a single-event body gets a Content-Length, a longer one is streamed);
* ``websocket``: ``websocket.accept`` prepares a ``WebSocketResponse`` with the chosen
  subprotocol and headers; messages and close codes map both ways; ``websocket.close``
  before accepting answers 403, ``websocket.http.response.*`` sends a denial response;
* ``lifespan``: the mounted app's startup and shutdown run in our application's cleanup
  context, so a Starlette ``lifespan`` starts with our ``on_startup`` and ends with our
  ``on_cleanup``; an app that does not speak lifespan is left alone. Its ``state`` is
  copied into each request's scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

from web_app import HTTPForbidden, HTTPInternalServerError, StreamResponse
from web_http import HttpProcessingError
from web_routing import PrefixResource
from web_websocket import WebSocketResponse, WSMsgType
from yarl import URL

from ._types import ASGIApp, Message, Scope

if TYPE_CHECKING:
    from web_app import Application, BaseRequest, Request

__all__ = ("AsgiResource", "add_asgi")

_SPEC: Final = {"version": "3.0", "spec_version": "2.3"}
_DISCONNECT: Final[Message] = {"type": "http.disconnect"}


def _address(value: Any) -> list[Any] | None:
    if isinstance(value, (list, tuple)) and len(value) >= 2:
        return [str(value[0]), int(value[1])]
    return None


class AsgiResource(PrefixResource):
    """Every path at and below ``prefix``, for every method, served by an ASGI app."""

    def __init__(self, prefix: str, asgi: ASGIApp, *, name: str | None = None) -> None:
        super().__init__(prefix, name=name)
        self._asgi = asgi
        self._state: dict[str, Any] = {}
        self.add_route("*", self._handle)

    @property
    def asgi(self) -> ASGIApp:
        return self._asgi

    def match_subpath(self, subpath: str) -> dict[str, str] | None:
        return {}

    def url_for(self, path: str = "") -> URL:
        """The URL of ``path`` inside the mounted app (``""``: the mount point)."""
        if path and not path.startswith("/"):
            path = "/" + path
        return URL.build(path=self.prefix + path)

    def get_info(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "asgi": self._asgi}

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<AsgiResource {name}{self.prefix} -> {self._asgi!r}>"

    # -- scope ---------------------------------------------------------------------

    def _scope(self, request: BaseRequest, kind: str) -> Scope:
        url = request.rel_url
        raw_path = url.raw_path
        version = request.version
        scheme = request.scheme
        if kind == "websocket":
            scheme = "wss" if scheme == "https" else "ws"
        transport = request.transport
        server = None if transport is None else transport.get_extra_info("sockname")
        peer = None if transport is None else transport.get_extra_info("peername")
        scope: Scope = {
            "type": kind,
            "asgi": dict(_SPEC),
            "http_version": f"{version.major}.{version.minor}",
            "method": request.method,
            "scheme": scheme,
            "path": url.path,
            "raw_path": raw_path.encode("ascii", "surrogateescape"),
            "query_string": url.raw_query_string.encode("ascii", "surrogateescape"),
            "root_path": self.prefix,
            "headers": [(k.lower(), v) for k, v in request.raw_headers],
            "client": _address(peer),
            "server": _address(server),
            "state": dict(self._state),
            "extensions": {"websocket.http.response": {}} if kind == "websocket" else {},
        }
        if kind == "websocket":
            del scope["method"]
            protocols = request.headers.get("Sec-WebSocket-Protocol", "")
            scope["subprotocols"] = [p.strip() for p in protocols.split(",") if p.strip()]
        return scope

    async def _handle(self, request: Request) -> StreamResponse:
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if upgrade and request.method == "GET":
            return await _WebSocketCall(self, request).run()
        return await _HttpCall(self, request).run()

    # -- lifespan ------------------------------------------------------------------

    async def lifespan(self, app: Application) -> AsyncIterator[None]:
        """Run the mounted app's lifespan alongside ours (a cleanup context)."""
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        outbox: asyncio.Queue[Message] = asyncio.Queue()
        scope: Scope = {"type": "lifespan", "asgi": dict(_SPEC), "state": self._state}

        async def send(message: Message) -> None:
            await outbox.put(message)

        task = asyncio.ensure_future(self._asgi(scope, inbox.get, send))
        await inbox.put({"type": "lifespan.startup"})
        if not await self._lifespan_step(task, outbox, "startup"):
            yield  # the app does not speak lifespan: nothing to run at shutdown
            return
        try:
            yield
        finally:
            await inbox.put({"type": "lifespan.shutdown"})
            await self._lifespan_step(task, outbox, "shutdown")
            if not task.done():
                task.cancel()

    async def _lifespan_step(
        self, task: asyncio.Future[None], outbox: asyncio.Queue[Message], step: str
    ) -> bool:
        """Wait for the answer to a lifespan event; False if the app does not do lifespan."""
        getter = asyncio.ensure_future(outbox.get())
        waiting: set[asyncio.Future[Any]] = {task, getter}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if not getter.done():
            getter.cancel()
            if step == "startup":
                # Returned or raised at once: ASGI's way of saying "no lifespan here".
                if not task.cancelled():
                    task.exception()
                return False
            task.result()  # shutdown: its error is ours
            return True
        message = getter.result()
        if message["type"] == f"lifespan.{step}.failed":
            raise RuntimeError(f"mounted ASGI app {step} failed: {message.get('message', '')}")
        return True


class _HttpCall:
    """One http request handed to the mounted app."""

    def __init__(self, resource: AsgiResource, request: Request) -> None:
        self._resource = resource
        self._request = request
        self._response: StreamResponse | None = None
        self._pending_start: Message | None = None
        self._done = asyncio.get_running_loop().create_future()
        self._body_done = False
        self._body_error: Exception | None = None

    async def receive(self) -> Message:
        if not self._body_done:
            content = self._request.content
            try:
                chunk = await content.readany()
            except (ConnectionError, HttpProcessingError) as exc:
                # The client left in the middle of its body (or sent a broken one).
                self._body_done = True
                self._body_error = exc
                return dict(_DISCONNECT)
            self._body_done = content.at_eof()
            return {"type": "http.request", "body": chunk, "more_body": not self._body_done}
        # After the body: the next event is the end of the exchange.
        await asyncio.shield(self._done)
        return dict(_DISCONNECT)

    async def send(self, message: Message) -> None:
        kind = message["type"]
        request = self._request
        if kind == "http.response.start":
            if self._pending_start is not None or self._response is not None:
                raise RuntimeError("http.response.start sent twice")
            self._pending_start = message
        elif kind == "http.response.body":
            resp = self._response
            body = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if resp is None:
                start = self._pending_start
                if start is None:
                    raise RuntimeError("http.response.body before http.response.start")
                resp = self._response = StreamResponse(status=int(start["status"]))
                for name, value in start.get("headers", ()):
                    resp.headers.add(bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
                if not more and "Content-Length" not in resp.headers:
                    resp.content_length = len(body)
                await resp.prepare(request)
            if body:
                await resp.write(body)
            if not more:
                await resp.write_eof()
                if not self._done.done():
                    self._done.set_result(None)
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} on an http scope")

    async def run(self) -> StreamResponse:
        scope = self._resource._scope(self._request, "http")
        try:
            await self._resource.asgi(scope, self.receive, self.send)
        finally:
            if not self._done.done():
                self._done.set_result(None)
        resp = self._response
        if resp is None:
            if self._pending_start is not None:
                # Head without body event: an empty body.
                await self.send({"type": "http.response.body", "body": b""})
                resp = self._response
            if resp is None:
                if self._body_error is not None:
                    raise self._body_error  # answered as our server answers it (400, 413)
                raise HTTPInternalServerError(text="The ASGI app returned without a response")
        if not resp.eof_sent:
            raise RuntimeError("the mounted ASGI app returned before its response was complete")
        return resp


class _WebSocketCall:
    """One websocket handed to the mounted app."""

    def __init__(self, resource: AsgiResource, request: Request) -> None:
        self._resource = resource
        self._request = request
        self._ws: WebSocketResponse | None = None
        self._connected = False
        self._closed = False
        self._denial: _HttpCall | None = None

    async def receive(self) -> Message:
        if not self._connected:
            self._connected = True
            return {"type": "websocket.connect"}
        ws = self._ws
        if ws is None or self._closed:
            return {"type": "websocket.disconnect", "code": 1006}
        msg = await ws.receive()
        if msg.type is WSMsgType.TEXT:
            return {"type": "websocket.receive", "text": msg.data}
        if msg.type is WSMsgType.BINARY:
            return {"type": "websocket.receive", "bytes": msg.data}
        self._closed = True
        code = ws.close_code or (msg.data if msg.type is WSMsgType.CLOSE else None) or 1006
        return {"type": "websocket.disconnect", "code": int(code), "reason": msg.extra or ""}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        ws = self._ws
        if kind == "websocket.accept":
            if ws is not None:
                raise RuntimeError("websocket.accept sent twice")
            protocol = message.get("subprotocol")
            ws = WebSocketResponse(protocols=(protocol,) if protocol else ())
            for name, value in message.get("headers", ()):
                ws.headers.add(bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
            await ws.prepare(self._request)
            self._ws = ws
        elif kind == "websocket.send":
            if ws is None:
                raise RuntimeError("websocket.send before websocket.accept")
            if self._closed:
                raise ConnectionResetError("the websocket is closed")
            text = message.get("text")
            if text is not None:
                await ws.send_str(text)
            else:
                await ws.send_bytes(bytes(message.get("bytes") or b""))
        elif kind == "websocket.close":
            if ws is None:
                self._closed = True
                return
            self._closed = True
            reason = message.get("reason") or ""
            await ws.close(code=int(message.get("code", 1000)), message=reason.encode("utf-8"))
        elif kind.startswith("websocket.http.response."):
            if ws is not None:
                raise RuntimeError(f"{kind} after websocket.accept")
            if self._denial is None:
                self._denial = _HttpCall(self._resource, self._request)
            await self._denial.send({**message, "type": kind.replace("websocket.", "", 1)})
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} on a websocket scope")

    async def run(self) -> StreamResponse:
        scope = self._resource._scope(self._request, "websocket")
        await self._resource.asgi(scope, self.receive, self.send)
        ws = self._ws
        if ws is not None:
            if not ws.closed:
                await ws.close()
            return ws
        denial = self._denial
        if denial is not None and denial._response is not None:
            return denial._response
        raise HTTPForbidden(text="The ASGI app refused the websocket")


def add_asgi(
    app: Application, prefix: str, asgi: ASGIApp, *, name: str | None = None
) -> AsgiResource:
    """Serve ``asgi`` (http and websocket) at ``prefix`` and below; runs its lifespan."""
    if not callable(asgi):
        raise TypeError(f"asgi must be an ASGI application (callable), got {asgi!r}")
    prefix = prefix.rstrip("/")
    if not prefix.startswith("/"):
        raise ValueError(f"the prefix must start with '/' and not be '/' alone, got {prefix!r}")
    resource = AsgiResource(prefix, asgi, name=name)
    app.router.register_resource(resource)
    app.cleanup_ctx.append(resource.lifespan)
    return resource
