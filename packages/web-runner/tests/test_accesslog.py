"""The access log: aiohttp's format directives, as seen in the records a real request produces."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
from web_app import BaseRequest, Response, Server, StreamResponse
from web_runner import AbstractAccessLogger, AccessLogger, ServerRunner, TCPSite

Fetch = Callable[..., Coroutine[Any, Any, Any]]


async def ok(request: BaseRequest) -> StreamResponse:
    return Response(text="hello", headers={"X-Out": "out-value"})


@asynccontextmanager
async def serving(**kwargs: Any) -> AsyncIterator[int]:
    runner = ServerRunner(Server(ok, **kwargs))
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield site.port
    finally:
        await runner.cleanup()


def records_of(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name]


async def test_default_format_matches_aiohttp(
    fetch: Fetch, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("test.access.default")
    caplog.set_level(logging.INFO, logger=logger.name)
    async with serving(
        access_log_class=AccessLogger, access_log=logger, access_log_format=AccessLogger.LOG_FORMAT
    ) as port:
        reply = await fetch(
            port, "/a/b?x=1", headers={"Referer": "http://r/", "User-Agent": "ua/1"}
        )
    assert reply.status == 200
    (record,) = records_of(caplog, logger.name)
    message = record.getMessage()
    pattern = (
        r"^127\.0\.0\.1 \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "
        r'"GET /a/b\?x=1 HTTP/1\.1" 200 (\d+) "http://r/" "ua/1"$'
    )
    match = re.match(pattern, message)
    assert match is not None, message
    # %b counts the bytes sent, head included: more than the 5-byte body.
    assert int(match.group(1)) > len(b"hello")
    assert getattr(record, "first_request_line") == "GET /a/b?x=1 HTTP/1.1"  # noqa: B009
    assert getattr(record, "response_status") == "200"  # noqa: B009
    assert getattr(record, "request_header") == {"Referer": "http://r/", "User-Agent": "ua/1"}  # noqa: B009


async def test_every_directive(
    fetch: Fetch, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_TEST_ENV", "env-value")
    logger = logging.getLogger("test.access.all")
    caplog.set_level(logging.INFO, logger=logger.name)
    fmt = "%a|%P|%s|%T|%Tf|%D|%{X-Out}o|%{X-Missing}i|%{RUNNER_TEST_ENV}e|100%%"
    async with serving(
        access_log_class=AccessLogger, access_log=logger, access_log_format=fmt
    ) as port:
        await fetch(port)
    (record,) = records_of(caplog, logger.name)
    parts = record.getMessage().split("|")
    assert parts[0] == "127.0.0.1"
    assert parts[1] == f"<{os.getpid()}>"
    assert parts[2] == "200"
    assert parts[3] == "0"
    assert re.fullmatch(r"0\.\d{6}", parts[4])
    assert parts[5].isdigit() and int(parts[5]) < 5_000_000
    assert parts[6:] == ["out-value", "-", "env-value", "100%"]


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [("%z", "%z"), ("%{X}q", "%{X}q"), ("trailing %", "trailing %"), ("%{}i", "%{}i")],
    ids=repr,
)
def test_unknown_directive_is_kept_literally(fmt: str, shown: str) -> None:
    assert AccessLogger(logging.getLogger("x"), fmt)._compiled.template % () == shown


async def test_apache_directives_never_drop_a_connection(
    fetch: Fetch, caplog: pytest.LogCaptureFixture
) -> None:
    """Apache's common log format has %l and %u, which aiohttp does not know: printed as is."""
    logger = logging.getLogger("test.access.apache")
    caplog.set_level(logging.INFO, logger=logger.name)
    fmt = '%a %l %u "%r" %s'
    async with serving(
        access_log_class=AccessLogger, access_log=logger, access_log_format=fmt
    ) as port:
        first = await fetch(port, "/one")
        second = await fetch(port, "/two")
    assert (first.status, second.status) == (200, 200)
    messages = [r.getMessage() for r in records_of(caplog, logger.name)]
    assert messages == [
        '127.0.0.1 %l %u "GET /one HTTP/1.1" 200',
        '127.0.0.1 %l %u "GET /two HTTP/1.1" 200',
    ]


def test_disabled_when_logger_below_info() -> None:
    logger = logging.getLogger("test.access.quiet")
    logger.setLevel(logging.WARNING)
    assert AccessLogger(logger, AccessLogger.LOG_FORMAT).enabled is False
    logger.setLevel(logging.INFO)
    assert AccessLogger(logger, AccessLogger.LOG_FORMAT).enabled is True


class Recording(AbstractAccessLogger):
    calls: list[tuple[str, int, float]] = []

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.calls.append((request.path, response.status, time))


async def test_custom_logger_class_gets_request_response_and_time(fetch: Fetch) -> None:
    Recording.calls = []
    logger = logging.getLogger("test.access.custom")
    async with serving(access_log_class=Recording, access_log=logger, access_log_format="") as port:
        await fetch(port, "/p")
    assert len(Recording.calls) == 1
    path, status, elapsed = Recording.calls[0]
    assert (path, status) == ("/p", 200)
    assert 0 <= elapsed < 5


async def test_no_access_log_means_no_logger_calls(fetch: Fetch) -> None:
    Recording.calls = []
    async with serving(access_log_class=Recording, access_log=None) as port:
        reply = await fetch(port)
    assert reply.status == 200
    assert Recording.calls == []


async def test_broken_logger_does_not_break_the_response(
    fetch: Fetch, caplog: pytest.LogCaptureFixture
) -> None:
    class Boom(AccessLogger):
        def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
            super().log(request, None, time)  # type: ignore[arg-type]

    logger = logging.getLogger("test.access.boom")
    caplog.set_level(logging.INFO, logger=logger.name)
    async with serving(access_log_class=Boom, access_log=logger, access_log_format="%s") as port:
        reply = await fetch(port)
        second = await fetch(port)
    assert (reply.status, second.status) == (200, 200)
    assert any("Error in access logging" in r.getMessage() for r in caplog.records)
    await asyncio.sleep(0)
