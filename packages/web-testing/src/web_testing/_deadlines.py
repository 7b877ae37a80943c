"""Request time limits of one client session, kept on one event-loop timer.

A timer per request (``call_later`` then ``cancel``) costs about as much as building the
request's headers, and a test suite sends thousands of requests that never come near their
limit. Here a request only records its deadline; the session's single timer is armed for the
earliest one and, when it fires, cancels the requests whose time is up and re-arms itself for
the next deadline still pending. With the default limit the timer fires about once a minute.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ("Deadlines",)

_T = TypeVar("_T")


class _Limit:
    """One request waiting under a time limit."""

    __slots__ = ("deadline", "fired", "task")

    def __init__(self, task: asyncio.Task[object], deadline: float) -> None:
        self.task = task
        self.deadline = deadline
        self.fired = False


class Deadlines:
    """``await deadlines.within(coro, seconds)``: ``coro``, or ``TimeoutError`` past the limit."""

    def __init__(self) -> None:
        self._pending: set[_Limit] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    async def within(self, coro: Awaitable[_T], limit: float) -> _T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        entry = _Limit(task, loop.time() + limit)
        self._pending.add(entry)
        if entry.deadline < self._timer_at:
            self._arm(loop, entry.deadline)
        try:
            return await coro
        except asyncio.CancelledError:
            if entry.fired:
                raise asyncio.TimeoutError(f"no response within {limit} s") from None
            raise
        finally:
            self._pending.discard(entry)

    def close(self) -> None:
        """Drop the timer (requests still waiting keep no limit)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = math.inf
        self._pending.clear()

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._expire, loop)
        self._timer_at = when

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self._timer_at = math.inf
        now = loop.time()
        earliest = math.inf
        for entry in self._pending:
            if entry.fired:
                continue
            if entry.deadline <= now:
                entry.fired = True
                entry.task.cancel()
            elif entry.deadline < earliest:
                earliest = entry.deadline
        if earliest < math.inf:
            self._arm(loop, earliest)
