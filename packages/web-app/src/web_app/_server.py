"""The low-level ``Server``: a protocol factory that calls one handler for every request."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._base_request import BaseRequest
from ._handler_config import HandlerConfig
from ._protocol import RequestFactory, RequestHandler, RequestHandlerFunc

if TYPE_CHECKING:
    from web_http import RequestHead, StreamReader

    from ._writer import PayloadWriter

__all__ = ("Server",)


class Server:
    """Serve ``handler(request) -> StreamResponse`` over ``loop.create_server(server, ...)``.

    ``kwargs`` are the connection settings (keepalive_timeout, tcp_keepalive, logger,
    access_log_class, access_log, access_log_format, debug, max_line_size, max_headers,
    max_field_size, lingering_time, read_bufsize, auto_decompress, max_decompressed_size)
    and the timeouts and load shedding of docs/timeouts.md (client_head_timeout,
    client_body_timeout, handler_timeout, handler_timeout_status, websocket_handshake_timeout,
    max_concurrent_requests, shed_exempt_paths, shed_retry_after); they are checked here,
    once, not on every connection.
    """

    def __init__(
        self,
        handler: RequestHandlerFunc,
        *,
        request_factory: RequestFactory | None = None,
        handler_cancellation: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        **kwargs: Any,
    ) -> None:
        self._loop = loop
        self._connections: dict[RequestHandler, None] = {}
        # Handlers this factory made whose connection_made has not come yet (a transport
        # calls it soon after building them, or after a TLS handshake).
        self._unconnected: dict[RequestHandler, None] = {}
        self._kwargs = kwargs
        self._config = HandlerConfig(**kwargs)
        self.requests_count = 0
        #: Handlers running now (counted only with ``max_concurrent_requests``).
        self.active_requests = 0
        self.request_handler = handler
        self.request_factory: RequestFactory = request_factory or self._make_request
        self.handler_cancellation = handler_cancellation

    @property
    def connections(self) -> list[RequestHandler]:
        return list(self._connections)

    @property
    def has_connections(self) -> bool:
        """Whether a connection is open, or one this factory made still awaits connection_made.

        When false, nothing the loop has queued can reach the handler: a runner need not
        give such connections a loop turn before shutting down."""
        return bool(self._connections or self._unconnected)

    def connection_made(self, handler: RequestHandler, transport: asyncio.BaseTransport) -> None:
        self._unconnected.pop(handler, None)
        self._connections[handler] = None

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        self._connections.pop(handler, None)

    def _make_request(
        self,
        message: RequestHead,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: PayloadWriter,
        task: asyncio.Task[None],
    ) -> BaseRequest:
        return BaseRequest(message, payload, protocol, writer, task, protocol._loop)

    def pre_shutdown(self) -> None:
        """Stop keep-alive: idle connections close now, busy ones after their response;
        upgraded ones (websockets) start their goodbye (a close frame with code 1001).

        A connection still owed its first request (or the rest of a head) stays open for
        it: see ``RequestHandler.pre_shutdown``."""
        for conn in list(self._connections):
            conn.pre_shutdown()

    async def shutdown(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` for the handlers in progress, then cancel them and close."""
        conns = list(self._connections)
        if conns:
            await asyncio.gather(*(conn.shutdown(timeout) for conn in conns))
        self._connections.clear()

    def __call__(self) -> RequestHandler:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        handler = RequestHandler(
            self, loop=loop, handler_cancellation=self.handler_cancellation, config=self._config
        )
        self._unconnected[handler] = None
        return handler
