"""Lifecycle: on_startup/on_shutdown/on_cleanup, cleanup_ctx, sub-app signals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from web_app import Application, CleanupError


async def test_signals_fire_in_order_with_app() -> None:
    app = Application()
    calls: list[tuple[str, Application]] = []

    async def on_startup(a: Application) -> None:
        calls.append(("startup", a))

    async def on_shutdown(a: Application) -> None:
        calls.append(("shutdown", a))

    async def on_cleanup(a: Application) -> None:
        calls.append(("cleanup", a))

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.freeze()
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert calls == [("startup", app), ("shutdown", app), ("cleanup", app)]


async def test_startup_works_before_freeze() -> None:
    # the runner's order: startup first, freeze after
    app = Application()
    seen: list[str] = []

    async def on_startup(a: Application) -> None:
        seen.append("up")

    app.on_startup.append(on_startup)
    await app.startup()
    assert seen == ["up"]
    assert app.on_startup.frozen


async def test_cleanup_ctx_runs_in_reverse() -> None:
    app = Application()
    log: list[str] = []

    def make(name: str):  # type: ignore[no-untyped-def]
        async def ctx(a: Application) -> AsyncIterator[None]:
            log.append(f"enter {name}")
            yield
            log.append(f"exit {name}")

        return ctx

    app.cleanup_ctx.append(make("a"))
    app.cleanup_ctx.append(make("b"))
    app.freeze()
    await app.startup()
    assert log == ["enter a", "enter b"]
    await app.cleanup()
    assert log == ["enter a", "enter b", "exit b", "exit a"]


async def test_cleanup_ctx_accepts_context_manager_factories() -> None:
    app = Application()
    log: list[str] = []

    @asynccontextmanager
    async def ctx(a: Application) -> AsyncIterator[None]:
        log.append("in")
        yield
        log.append("out")

    app.cleanup_ctx.append(ctx)
    app.freeze()
    await app.startup()
    await app.cleanup()
    assert log == ["in", "out"]


async def test_single_cleanup_error_is_raised_as_is() -> None:
    app = Application()

    async def ctx(a: Application) -> AsyncIterator[None]:
        yield
        raise ValueError("boom")

    app.cleanup_ctx.append(ctx)
    app.freeze()
    await app.startup()
    with pytest.raises(ValueError, match="boom"):
        await app.cleanup()


async def test_multiple_cleanup_errors_gathered() -> None:
    app = Application()
    log: list[str] = []

    async def ok(a: Application) -> AsyncIterator[None]:
        yield
        log.append("ok cleaned")

    async def bad1(a: Application) -> AsyncIterator[None]:
        yield
        raise ValueError("one")

    async def bad2(a: Application) -> AsyncIterator[None]:
        yield
        raise KeyError("two")

    async def yields_twice(a: Application) -> AsyncIterator[None]:
        yield
        yield

    for ctx in (ok, bad1, bad2, yields_twice):
        app.cleanup_ctx.append(ctx)
    app.freeze()
    await app.startup()
    with pytest.raises(CleanupError) as info:
        await app.cleanup()
    # every context was finished even though others failed
    assert log == ["ok cleaned"]
    kinds = [type(e) for e in info.value.exceptions]
    assert kinds == [RuntimeError, KeyError, ValueError]
    assert isinstance(info.value, RuntimeError)


async def test_cancelled_cleanup_is_gathered_too() -> None:
    app = Application()

    async def cancelled(a: Application) -> AsyncIterator[None]:
        yield
        raise asyncio.CancelledError

    async def bad(a: Application) -> AsyncIterator[None]:
        yield
        raise ValueError("x")

    app.cleanup_ctx.append(cancelled)
    app.cleanup_ctx.append(bad)
    app.freeze()
    await app.startup()
    with pytest.raises(CleanupError):
        await app.cleanup()


async def test_failed_startup_cleans_started_contexts_only() -> None:
    app = Application()
    log: list[str] = []

    async def first(a: Application) -> AsyncIterator[None]:
        log.append("first up")
        yield
        log.append("first down")

    async def broken(a: Application) -> AsyncIterator[None]:
        raise OSError("cannot start")
        yield  # pragma: no cover

    async def on_cleanup(a: Application) -> None:
        log.append("on_cleanup")

    app.cleanup_ctx.append(first)
    app.cleanup_ctx.append(broken)
    app.on_cleanup.append(on_cleanup)
    with pytest.raises(OSError):
        await app.startup()
    # not frozen: only the contexts that started are undone
    await app.cleanup()
    assert log == ["first up", "first down"]


async def test_subapp_signals_fire_with_subapp() -> None:
    app = Application()
    sub = Application()
    calls: list[tuple[str, Application]] = []

    async def sub_startup(a: Application) -> None:
        calls.append(("startup", a))

    async def sub_shutdown(a: Application) -> None:
        calls.append(("shutdown", a))

    async def sub_cleanup(a: Application) -> None:
        calls.append(("cleanup", a))

    async def sub_ctx(a: Application) -> AsyncIterator[None]:
        calls.append(("ctx in", a))
        yield
        calls.append(("ctx out", a))

    sub.on_startup.append(sub_startup)
    sub.on_shutdown.append(sub_shutdown)
    sub.on_cleanup.append(sub_cleanup)
    sub.cleanup_ctx.append(sub_ctx)
    app.add_subapp("/sub", sub)
    app.freeze()
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert calls == [
        ("ctx in", sub),
        ("startup", sub),
        ("shutdown", sub),
        ("ctx out", sub),
        ("cleanup", sub),
    ]


async def test_each_signal_runs_what_the_user_put_in_it_alone() -> None:
    """An app skips its signals when they hold only its own cleanup-context handlers;
    any single handler of the user's (even one replacing those) still runs."""
    calls: list[str] = []

    async def replaced(app: Application) -> None:
        calls.append("startup")

    async def on_shutdown(app: Application) -> None:
        calls.append("shutdown")

    async def on_cleanup(app: Application) -> None:
        calls.append("cleanup")

    app = Application()
    app.on_startup.clear()
    app.on_startup.append(replaced)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.clear()
    app.on_cleanup.append(on_cleanup)
    app.on_cleanup.freeze()
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert calls == ["startup", "shutdown", "cleanup"]

    async def ctx(app: Application) -> AsyncIterator[None]:
        calls.append("enter")
        yield
        calls.append("exit")

    calls.clear()
    only_ctx = Application()
    only_ctx.cleanup_ctx.append(ctx)
    only_ctx.freeze()
    await only_ctx.startup()
    await only_ctx.shutdown()
    await only_ctx.cleanup()
    assert calls == ["enter", "exit"]


@pytest.mark.parametrize("name", ["on_response_prepare", "on_shutdown"])
async def test_a_signal_first_used_after_freeze_is_frozen_and_the_same(name: str) -> None:
    """on_response_prepare and on_shutdown are made on first use: seen after freeze() they
    are frozen, empty and the same object on every access, as if made with the app."""
    app = Application()
    app.freeze()
    signal = getattr(app, name)
    assert signal.frozen and len(signal) == 0
    assert getattr(app, name) is signal
    with pytest.raises(RuntimeError):
        signal.append(lambda *args: None)


async def test_on_shutdown_first_used_after_shutdown_is_frozen() -> None:
    app = Application()
    await app.shutdown()  # an app never frozen: shutdown() still freezes its signal
    assert app.on_shutdown.frozen

    async def on_shutdown(a: Application) -> None:
        return None

    with pytest.raises(RuntimeError):
        app.on_shutdown.append(on_shutdown)


async def test_signals_used_before_freeze_are_kept_and_frozen_with_the_app() -> None:
    app = Application()
    calls: list[str] = []

    async def on_shutdown(a: Application) -> None:
        calls.append("shutdown")

    prepare, shutdown = app.on_response_prepare, app.on_shutdown
    assert not prepare.frozen and not shutdown.frozen
    shutdown.append(on_shutdown)
    app.freeze()
    assert app.on_response_prepare is prepare and app.on_shutdown is shutdown
    assert prepare.frozen and shutdown.frozen
    await app.shutdown()
    assert calls == ["shutdown"]
