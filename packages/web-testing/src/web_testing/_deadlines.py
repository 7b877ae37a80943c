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
from typing import TypeVar

__all__ = ("Deadlines", "Limit")

_T = TypeVar("_T")


class Limit:
    """One request waiting under a time limit; ``fired`` once its task was cancelled for it."""

    __slots__ = ("deadline", "fired", "seconds", "task")

    def __init__(self, task: asyncio.Task[object], deadline: float, seconds: float) -> None:
        self.task = task
        self.deadline = deadline
        self.seconds = seconds
        self.fired = False

    def error(self) -> asyncio.TimeoutError:
        """What the cancel this limit caused becomes for the request."""
        return asyncio.TimeoutError(f"no response within {self.seconds} s")


class Deadlines:
    """``start(seconds)`` before a request's awaits, ``stop(limit)`` after them.

    Past the deadline the current task is cancelled and the limit's ``fired`` is set, so
    the request turns that ``CancelledError`` into ``limit.error()``; a cancel with
    ``fired`` unset came from elsewhere and stays a cancel. (No wrapping coroutine: a
    request pays no extra await layer for its limit.)
    """

    def __init__(self) -> None:
        self._pending: set[Limit] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def start(self, seconds: float) -> Limit:
        task = asyncio.current_task()
        assert task is not None
        loop = task.get_loop()
        entry = Limit(task, loop.time() + seconds, seconds)
        self._pending.add(entry)
        if entry.deadline < self._timer_at:
            self._arm(loop, entry.deadline)
        return entry

    def stop(self, entry: Limit) -> None:
        self._pending.discard(entry)

    async def wait(self, fut: asyncio.Future[_T], seconds: float | None) -> _T:
        """``await fut``, or ``TimeoutError`` after ``seconds`` (``fut`` is then cancelled).

        What ``asyncio.wait_for(asyncio.shield(fut), seconds)`` gives for a future nobody
        else awaits, without its two futures (each a loop iteration to pass the result on)
        and without a timer of its own: a websocket's handshake, close and receive(timeout)
        wait on one entry here.
        """
        if seconds is None:
            return await fut
        entry = self.start(seconds)
        try:
            return await fut
        except asyncio.CancelledError:
            if entry.fired:
                raise asyncio.TimeoutError(f"nothing within {seconds} s") from None
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
