"""AioHTTPTestCase and the event-loop helpers for suites outside pytest-asyncio."""

from __future__ import annotations

import asyncio
import unittest

import pytest
import web
from web_testing import (
    AioHTTPTestCase,
    TestClient,
    TestServer,
    loop_context,
    setup_test_loop,
    teardown_test_loop,
    unittest_run_loop,
)

EVENTS: list[str] = []
WHO = web.AppKey("who", str)


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hi " + request.app[WHO])


class HelloCase(AioHTTPTestCase):
    async def get_application(self) -> web.Application:
        app = web.Application()
        app[WHO] = "unittest"
        app.router.add_get("/", hello)

        async def cleanup(app: web.Application) -> None:
            EVENTS.append("cleanup")

        app.on_cleanup.append(cleanup)
        return app

    async def test_client_reaches_the_app(self) -> None:
        assert isinstance(self.client, TestClient)
        assert isinstance(self.server, TestServer)
        assert self.client.app is self.app
        assert self.loop is asyncio.get_running_loop()
        resp = await self.client.get("/")
        assert resp.status == 200
        assert await resp.text() == "hi unittest"

    @unittest_run_loop
    async def test_old_decorator_still_works(self) -> None:
        assert (await self.client.get("/")).status == 200


class MemoryCase(HelloCase):
    transport = "memory"

    async def test_served_in_memory(self) -> None:
        assert self.client.transport == "memory"
        assert await (await self.client.get("/")).text() == "hi unittest"


class ForgotApplication(AioHTTPTestCase):
    __test__ = False  # run by test_missing_get_application_is_a_clear_error only

    async def test_never_runs(self) -> None:  # pragma: no cover - setUp fails first
        raise AssertionError("unreachable")


def _run(case: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TestResult()
    suite.run(result)
    return result


def test_test_case_runs_and_cleans_up() -> None:
    EVENTS.clear()
    result = _run(MemoryCase)
    assert result.wasSuccessful(), result.errors + result.failures
    assert result.testsRun == 3
    assert EVENTS == ["cleanup"] * 3  # client.close() closed each server


def test_missing_get_application_is_a_clear_error() -> None:
    result = _run(ForgotApplication)
    assert len(result.errors) == 1
    assert "get_application" in result.errors[0][1]


def test_loop_context_sets_and_closes_a_loop() -> None:
    with loop_context() as loop:
        assert asyncio.get_event_loop_policy().get_event_loop() is loop

        async def pending() -> None:
            await asyncio.sleep(3600)

        task = loop.create_task(pending())
        assert loop.run_until_complete(asyncio.sleep(0, "ok")) == "ok"
    assert loop.is_closed()
    assert task.cancelled()  # what still ran was cancelled, not left dangling


def test_setup_and_teardown_test_loop() -> None:
    loop = setup_test_loop()
    try:
        assert loop.run_until_complete(asyncio.sleep(0, 5)) == 5
    finally:
        teardown_test_loop(loop, fast=True)
    assert loop.is_closed()
    teardown_test_loop(loop)  # a closed loop: nothing more to do
    with pytest.raises(RuntimeError):
        asyncio.get_event_loop_policy().get_event_loop()
