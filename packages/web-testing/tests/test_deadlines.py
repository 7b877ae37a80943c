"""Request time limits on one timer per session: each request still gets its own limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import pytest
from web_testing._deadlines import Deadlines

_T = TypeVar("_T")


async def within(deadlines: Deadlines, work: Awaitable[_T], seconds: float) -> _T:
    """How the session waits under a limit (a fired limit's cancel becomes its error)."""
    limit = deadlines.start(seconds)
    try:
        return await work
    except asyncio.CancelledError:
        if limit.fired:
            raise limit.error() from None
        raise
    finally:
        deadlines.stop(limit)


async def _never() -> str:
    await asyncio.Event().wait()
    return "unreachable"


async def _after(event: asyncio.Event, value: str) -> str:
    await event.wait()
    return value


async def test_result_within_the_limit() -> None:
    deadlines = Deadlines()
    done = asyncio.Event()
    done.set()
    assert await within(deadlines, _after(done, "ok"), 60) == "ok"
    deadlines.close()


async def test_a_shorter_limit_after_a_longer_one_still_fires() -> None:
    deadlines = Deadlines()
    slow = asyncio.ensure_future(within(deadlines, _never(), 60))
    await asyncio.sleep(0)
    with pytest.raises(asyncio.TimeoutError, match=r"within 0\.01 s"):
        await within(deadlines, _never(), 0.01)
    assert not slow.done()  # its own limit is far away
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow  # an outside cancel stays a cancel, not a timeout
    deadlines.close()


async def test_each_pending_request_expires_at_its_own_deadline() -> None:
    deadlines = Deadlines()
    release = asyncio.Event()
    first = asyncio.ensure_future(within(deadlines, _never(), 0.01))
    second = asyncio.ensure_future(within(deadlines, _never(), 0.05))
    answered = asyncio.ensure_future(within(deadlines, _after(release, "answered"), 0.01))
    release.set()
    assert await answered == "answered"
    with pytest.raises(asyncio.TimeoutError):
        await first
    # The timer re-armed itself for the later deadline (else wait_for's own error, unmatched).
    with pytest.raises(asyncio.TimeoutError, match=r"within 0\.05 s"):
        await asyncio.wait_for(second, 10)
    deadlines.close()


async def test_close_drops_the_timer() -> None:
    deadlines = Deadlines()
    pending = asyncio.ensure_future(within(deadlines, _never(), 0.01))
    await asyncio.sleep(0)
    deadlines.close()
    await asyncio.sleep(0.03)
    assert not pending.done()  # no limit once the session is closed
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending


async def test_wait_gives_the_result_or_a_timeout() -> None:
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()
    loop.call_soon(done.set_result, "ok")
    assert await deadlines.wait(done, 60) == "ok"
    assert await deadlines.wait(done, None) == "ok"

    late: asyncio.Future[str] = loop.create_future()
    with pytest.raises(asyncio.TimeoutError, match=r"nothing within 0\.01 s"):
        await deadlines.wait(late, 0.01)
    assert late.cancelled()
    assert not deadlines._pending  # each wait takes its entry back
    deadlines.close()


async def test_wait_lets_an_outside_cancel_through() -> None:
    deadlines = Deadlines()
    pending: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    waiting = asyncio.ensure_future(deadlines.wait(pending, 60))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not deadlines._pending
    deadlines.close()


async def test_waits_share_the_session_timer() -> None:
    """A later, longer wait arms nothing: the timer set for the earlier deadline covers it."""
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    first: asyncio.Future[str] = loop.create_future()
    loop.call_soon(first.set_result, "a")
    assert await deadlines.wait(first, 30) == "a"
    timer = deadlines._timer
    assert timer is not None
    second: asyncio.Future[str] = loop.create_future()
    loop.call_soon(second.set_result, "b")
    assert await deadlines.wait(second, 30) == "b"
    assert deadlines._timer is timer
    deadlines.close()
