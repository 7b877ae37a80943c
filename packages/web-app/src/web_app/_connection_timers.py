"""The connection's one timer: keep-alive, slow head, slow body and handler deadlines.

It is armed once and re-armed from its own callback, so a busy keep-alive connection creates
no timer per request.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from web_http import HttpProcessingError

from ._connection_state import BUSY, BUSY_LAST, CLOSED, IDLE, TIMEOUT
from ._error_answers import ErrorAnswers, simple_response
from ._error_page import error_text

if TYPE_CHECKING:
    from web_http import StreamReader

__all__ = ("ConnectionTimers",)


class ConnectionTimers(ErrorAnswers):
    """Deadlines of a connection (a layer of ``RequestHandler``, see ``_connection_state``)."""

    __slots__ = ()

    def _next_deadline(self) -> float:
        head_deadline = self._head_deadline
        if head_deadline is not None:
            return head_deadline  # a head is arriving: only its own deadline applies
        return self._idle_since + self._config.keepalive_timeout

    def _arm_timer(self, when: float) -> None:
        timer = self._timer
        if timer is not None:
            if self._timer_when <= when:
                return  # the earlier callback re-arms for later deadlines
            timer.cancel()
        self._timer_when = when
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        state = self._state
        if state is BUSY or state is BUSY_LAST:
            self._on_busy_timer()
            return
        if state is not IDLE:
            return
        now = self._loop.time()
        head_deadline = self._head_deadline
        if head_deadline is not None:
            if now < head_deadline:
                self._arm_timer(head_deadline)
                return
            # Part of a head arrived but not the rest in time (slowloris): 408, close.
            self._state = CLOSED
            transport = self.transport
            if transport is not None:
                if not transport.is_closing():
                    text = error_text(408, "request head not received in time")
                    transport.write(simple_response(408, text))
                transport.close()
            return
        if now >= self._idle_since + self._config.keepalive_timeout:
            self._close_transport()
            return
        self._arm_timer(self._next_deadline())

    def _on_busy_timer(self) -> None:
        """A request is in progress: the handler's deadline, then the body's stall timeout.

        Without either, nothing is re-armed: ``_finish`` arms the keep-alive timeout.
        """
        now = self._loop.time()
        when = math.inf
        deadline = self._handler_deadline
        if deadline is not None:
            if now >= deadline:
                self._handler_deadline = None
                task = self._task
                if task is not None and not task.done():
                    self._cancel_reason = TIMEOUT
                    task.cancel()
                return
            when = deadline
        receiving = self._receiving
        timeout = self._config.client_body_timeout
        if receiving is not None and timeout is not None:
            if self._paused_reading:
                self._body_seen = now  # the server holds the body back, not the client
            stall = self._body_seen + timeout
            if now >= stall:
                self._body_stalled(receiving)
            elif stall < when:
                when = stall
        if when < math.inf:
            self._arm_timer(when)

    def _body_stalled(self, receiving: StreamReader) -> None:
        """No body bytes for ``client_body_timeout``: the reader fails with 408, then close."""
        self._receiving = None
        receiving.set_exception(
            HttpProcessingError(code=408, message="request body not received in time")
        )
        if self._state is BUSY:
            self._state = BUSY_LAST
        self.pause_reading()
