"""Answers the connection writes itself: before a request object exists (a broken head, a
request shed for load), when a handler is cancelled, and the error page of a failing handler.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from web_http import EMPTY_PAYLOAD, HttpProcessingError, http_date, reason_phrase

from ._connection_state import BUSY, BUSY_LAST, TIMEOUT, ConnectionState
from ._error_page import error_response, error_text
from ._exceptions import HTTPException

if TYPE_CHECKING:
    from web_http import RequestHead, StreamReader

    from ._base_request import BaseRequest
    from ._stream_response import StreamResponse
    from ._writer import PayloadWriter

__all__ = ("ErrorAnswers", "simple_response")


def simple_response(status: int, text: str, *, close: bool = True, extra: str = "") -> bytes:
    """A complete plain-text response, for answers sent before any request object exists."""
    body = text.encode("utf-8", "replace")
    reason = reason_phrase(status) or "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Date: {http_date()}\r\n"
        f"{extra}"
        f"{'Connection: close' if close else 'Connection: keep-alive'}\r\n\r\n"
    )
    return head.encode("ascii") + body


class ErrorAnswers(ConnectionState):
    """The connection's own answers (a layer of ``RequestHandler``, see ``_connection_state``)."""

    __slots__ = ()

    def _answer_parse_error(self, exc: HttpProcessingError) -> None:
        self._state = BUSY_LAST
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(simple_response(exc.code or 400, error_text(exc.code, str(exc))))

    def _shed(self, head: RequestHead, payload: StreamReader) -> bool:
        """Over ``max_concurrent_requests``: 503 with Retry-After at once; True to keep alive."""
        close = payload is not EMPTY_PAYLOAD or not head.keep_alive or self._state is not BUSY
        transport = self.transport
        if transport is not None and not transport.is_closing():
            retry = f"Retry-After: {self._config.shed_retry_after}\r\n"
            text = error_text(503, "too many requests in progress, retry later")
            transport.write(simple_response(503, text, close=close, extra=retry))
        return not close

    def _answer_cancelled(self, reason: str, started: bool) -> None:
        """The handler was cancelled by its timeout or by the shutdown timeout.

        Not started: 503 (shutdown) or ``handler_timeout_status``, then close. Started: abort
        the connection, so a chunked body lacks its last chunk and a sized one its end.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self._state = BUSY_LAST
        if started:
            transport.abort()
            return
        if reason is TIMEOUT:
            status = self._config.handler_timeout_status
            text = error_text(status, "the request handler did not finish in time")
        else:
            status = 503
            text = error_text(status, "the server is shutting down")
        transport.write(simple_response(status, text))

    def _failure_response(
        self, exc: Exception, request: BaseRequest, writer: PayloadWriter
    ) -> StreamResponse | None:
        """Turn a handler's exception into a response (None: the stream must just close)."""
        # an HTTPException is an ABC-registered MutableMapping: isinstance() asks ABCMeta, a
        # look at the class's MRO does not (a 404 comes this way)
        if HTTPException in type(exc).__mro__:
            return exc  # type: ignore[return-value]  # an HTTPException (no cast(): a call)
        if isinstance(exc, HTTPException):  # a virtual subclass
            return exc
        if isinstance(exc, ConnectionError):
            return None
        started = writer.headers_written
        if isinstance(exc, HttpProcessingError):
            # A malformed or oversized body found while the handler read it: 400/413.
            return None if started else self._error_response(request, exc.code or 400, str(exc))
        if isinstance(exc, asyncio.TimeoutError):
            self.logger.debug("Request handler timed out", exc_info=exc)
            return None if started else self._error_response(request, 504)
        self.logger.exception("Error handling request", exc_info=exc)
        return None if started else self._error_response(request, 500, exc=exc)

    def _error_response(
        self,
        request: BaseRequest,
        status: int,
        message: str = "",
        *,
        exc: BaseException | None = None,
    ) -> StreamResponse:
        """The server's own error page (HTML for a browser); tracebacks only in debug mode."""
        return error_response(
            status,
            accept=request.headers.get("Accept"),
            message=message,
            exc=exc if self._config.debug else None,
        )
