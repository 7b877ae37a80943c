"""For server integrations: what a server or a test harness needs beyond aiohttp's API.

web-runner (``AppRunner``), web-asgi (the ASGI adapter) and web-testing (mocked requests)
drive an ``Application`` through these functions, and so can a third-party server. aiohttp
keeps the same operations private (``Application._make_handler``, ``_make_request``,
``_handle``, ``Request._match_info``...); here they are named, typed and documented, while
``Application``, ``BaseRequest`` and ``StreamResponse`` keep exactly aiohttp's surface.

Serving one request the way our own connection does::

    request = make_request(app, head, payload, connection, writer, task)
    response = await handle(app, request)
    if not send_at_once(response, request, writer):
        await response.prepare(request)
        await response.write_eof()
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from ._error_page import error_response

if TYPE_CHECKING:
    from web_http import RequestHead, StreamReader
    from web_routing import UrlMappingMatchInfo

    from ._app import Application, Request
    from ._base_request import BaseRequest
    from ._server import Server
    from ._stream_response import StreamResponse
    from ._types import RequestConnection
    from ._writer import PayloadWriter

__all__ = (
    "bind_loop",
    "error_response",
    "handle",
    "make_request",
    "make_server",
    "send_at_once",
    "set_match_info",
)


def bind_loop(app: Application, loop: asyncio.AbstractEventLoop) -> None:
    """Attach ``app`` and its sub-applications to ``loop``, before ``app.startup()``.

    Raises ``RuntimeError`` when the application was bound to another loop already.
    """
    app._set_loop(loop)


def make_server(
    app: Application, *, loop: asyncio.AbstractEventLoop | None = None, **kwargs: object
) -> Server:
    """The low-level ``Server`` (protocol factory) serving ``app``; freezes the application.

    ``kwargs`` are the connection settings ``Server`` takes (``access_log_class``,
    ``keepalive_timeout``, the timeouts...); the app's ``handler_args`` win over them.
    """
    return app._make_handler(loop=loop, **kwargs)


def make_request(
    app: Application,
    head: RequestHead,
    payload: StreamReader,
    connection: RequestConnection,
    writer: PayloadWriter,
    task: asyncio.Task[None],
    *,
    scheme: str | None = None,
) -> Request:
    """The ``Request`` ``app``'s handlers get for one parsed request head.

    ``scheme`` (``"http"`` or ``"https"``) when the integration knows it (an ASGI scope);
    None lets ``request.scheme`` ask the transport for a TLS object, as on our server.
    """
    request = app._make_request(head, payload, connection, writer, task)
    if scheme is not None:
        request._scheme = scheme
    return request


def handle(app: Application, request: Request) -> Awaitable[StreamResponse]:
    """Route ``request`` and run its middlewares and handler; the answer is not prepared yet.

    Exceptions of the handler (``HTTPException`` included) propagate to the caller, which
    answers them (``error_response`` for anything but an ``HTTPException``).
    """
    return app._handle(request)


def set_match_info(request: Request, match_info: UrlMappingMatchInfo) -> None:
    """Give a request built outside routing (a mocked request) its ``match_info``."""
    request._match_info = match_info


def send_at_once(response: StreamResponse, request: BaseRequest, writer: PayloadWriter) -> bool:
    """Send an unprepared plain ``Response`` whole, in one ``writer`` call, if it can be.

    False, having changed nothing, when anything needs the general path (a subclass, a
    header multidict, cookies, compression, an ``on_response_prepare`` handler...): then call
    ``prepare`` and ``write_eof``. The bytes are exactly those of the general path.
    """
    return (
        response._fast_send_ok
        and response._payload_writer is None
        and not response._eof_sent
        # _fast_send_ok is true only on a Response (no cast(): a call per request)
        and response._send_fast(request, writer)  # type: ignore[attr-defined]
    )
