"""Server-Sent Events (the HTML ``EventSource`` protocol): ``EventSourceResponse``.

A streamed ``text/event-stream`` response with the headers that keep proxies and caches out
of the way (``Cache-Control: no-cache``, ``X-Accel-Buffering: no`` for nginx), events
formatted per the HTML standard (multi-line data split into ``data:`` lines; ``event``
and ``id`` refused when they hold a line break), comment pings that keep idle
connections open through proxies, and disconnect detection: the connection tells the
response when the client goes away, ``send`` then raises ``ConnectionResetError`` and
``wait_closed()`` returns, so a handler never writes into the void for long.
"""

from __future__ import annotations

import asyncio
import re
from types import TracebackType
from typing import TYPE_CHECKING, Final

from multidict import istr

from ._response_headers import LooseHeaders
from ._stream_response import StreamResponse

if TYPE_CHECKING:
    from collections.abc import Generator

    from ._base_request import BaseRequest
    from ._writer import PayloadWriter

__all__ = ("EventSourceResponse", "sse_response")

_LINES: Final = re.compile(r"\r\n|\r|\n")
_LAST_EVENT_ID: Final = istr("Last-Event-ID")
#: Default seconds between keep-alive comments (proxies often drop a link idle for 30-60 s).
DEFAULT_PING_INTERVAL: Final = 15.0


def _field(name: str, value: str) -> str:
    if _LINES.search(value) is not None:
        raise ValueError(f"SSE {name} cannot contain a line break: {value!r}")
    return f"{name}: {value}\n"


def format_event(
    data: str, *, event: str | None = None, id: str | None = None, retry: int | None = None
) -> bytes:
    """One event in wire form, ending with the blank line that dispatches it."""
    out = []
    if id is not None:
        if "\0" in id:
            raise ValueError("SSE id cannot contain NUL")
        out.append(_field("id", id))
    if event is not None:
        out.append(_field("event", event))
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError(f"SSE retry must be a non-negative int (ms), got {retry!r}")
        out.append(f"retry: {retry}\n")
    out.extend(f"data: {line}\n" for line in _LINES.split(data))
    out.append("\n")
    return "".join(out).encode("utf-8")


class EventSourceResponse(StreamResponse):
    """A ``text/event-stream`` response; ``await resp.prepare(request)``, then ``send``.

    ``ping_interval`` seconds of silence produce a ``: ping`` comment (None: no pings).
    ``last_event_id`` is the client's ``Last-Event-ID`` (set when it reconnects), so
    the handler can resume where the stream broke.
    """

    def __init__(
        self,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        if ping_interval is not None and ping_interval <= 0:
            raise ValueError("ping_interval must be positive (or None for no pings)")
        self._ping_interval = ping_interval
        self._ping_task: asyncio.Task[None] | None = None
        self._gone = asyncio.Event()
        self._last_event_id: str | None = None
        self._last_write = 0.0
        h = self.headers
        h["Content-Type"] = "text/event-stream"
        h.setdefault("Cache-Control", "no-cache")
        h.setdefault("X-Accel-Buffering", "no")

    @property
    def last_event_id(self) -> str | None:
        """The request's ``Last-Event-ID`` (None before ``prepare`` or when absent)."""
        return self._last_event_id

    @property
    def ping_interval(self) -> float | None:
        return self._ping_interval

    def is_connected(self) -> bool:
        """False once the client went away (or the stream was finished)."""
        return not self._gone.is_set()

    async def wait_closed(self) -> None:
        """Wait until the client disconnects (or ``write_eof`` ends the stream)."""
        await self._gone.wait()

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        if self.prepared:
            return await super().prepare(request)
        self._last_event_id = request.headers.get(_LAST_EVENT_ID)
        writer = await super().prepare(request)
        loop = asyncio.get_running_loop()
        self._last_write = loop.time()
        watch = getattr(request.protocol, "on_peer_closed", None)
        if watch is not None:
            watch(self._peer_closed)
        if self._ping_interval is not None and not self._gone.is_set():
            self._ping_task = loop.create_task(self._pinger(self._ping_interval))
        return writer

    def _peer_closed(self) -> None:
        self._gone.set()
        task = self._ping_task
        if task is not None:
            task.cancel()

    async def _pinger(self, interval: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(self._last_write + interval - loop.time())
                if loop.time() - self._last_write >= interval:
                    await self._send_raw(b": ping\n\n")
        except (ConnectionError, RuntimeError):
            self._gone.set()  # the link broke, or the stream was finished meanwhile

    async def _send_raw(self, data: bytes) -> None:
        if self._gone.is_set():
            raise ConnectionResetError("The client has disconnected")
        try:
            await self.write(data)
        except ConnectionError:
            self._gone.set()
            raise
        self._last_write = asyncio.get_running_loop().time()

    async def send(
        self,
        data: str,
        *,
        event: str | None = None,
        id: str | None = None,
        retry: int | None = None,
    ) -> None:
        """Send one event; raises ``ConnectionResetError`` once the client has gone."""
        await self._send_raw(format_event(data, event=event, id=id, retry=retry))

    async def comment(self, text: str = "") -> None:
        """Send a comment (ignored by ``EventSource``; keeps the connection warm)."""
        lines = _LINES.split(text)
        await self._send_raw(("".join(f": {line}\n" for line in lines) + "\n").encode("utf-8"))

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        task = self._ping_task
        if task is not None:
            self._ping_task = None
            task.cancel()
        self._gone.set()
        await super().write_eof(data)


class sse_response:
    """``async with sse_response(request) as resp:`` prepares an ``EventSourceResponse``
    and finishes it on exit (``await sse_response(request)`` just prepares it)."""

    def __init__(
        self,
        request: BaseRequest,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        self._request = request
        self._response = EventSourceResponse(
            status=status, reason=reason, headers=headers, ping_interval=ping_interval
        )

    async def _prepare(self) -> EventSourceResponse:
        await self._response.prepare(self._request)
        return self._response

    def __await__(self) -> Generator[object, None, EventSourceResponse]:
        return self._prepare().__await__()

    async def __aenter__(self) -> EventSourceResponse:
        return await self._prepare()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._response.write_eof()
        except ConnectionError:
            pass  # the client left first: nothing more to say
