"""The client against servers that misbehave: every case ends in a named error, no hang."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import web
from web_testing import (
    ClientConnectionError,
    ClientPayloadError,
    ClientResponseError,
    ClientSession,
    ServerDisconnectedError,
    TestClient,
    TestServer,
)


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[bytes | None], asyncio.Future[str]]]:
    """A TCP server answering every connection with fixed bytes (None: never answers)."""
    servers: list[asyncio.Server] = []
    loop = asyncio.get_running_loop()

    def start(answer: bytes | None) -> asyncio.Future[str]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            if answer is None:
                await asyncio.sleep(10)
            else:
                writer.write(answer)
                await writer.drain()
            writer.close()

        async def go() -> str:
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            servers.append(server)
            return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"

        return loop.create_task(go())

    yield start
    for server in servers:
        server.close()


async def test_malformed_status_line(
    raw_server: Callable[[bytes | None], asyncio.Future[str]],
) -> None:
    url = await raw_server(b"HTTP/9 nonsense\r\n\r\n")
    async with ClientSession() as session:
        with pytest.raises(ClientPayloadError, match="malformed"):
            await session.request("GET", url)


async def test_body_shorter_than_its_length(
    raw_server: Callable[[bytes | None], asyncio.Future[str]],
) -> None:
    url = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    async with ClientSession() as session:
        resp = await session.request("GET", url)
        with pytest.raises(ClientPayloadError, match="not completed"):
            await resp.read()


async def test_no_answer_at_all(raw_server: Callable[[bytes | None], asyncio.Future[str]]) -> None:
    url = await raw_server(b"")
    async with ClientSession() as session:
        with pytest.raises(ServerDisconnectedError):
            await session.request("GET", url)


async def test_timeout(raw_server: Callable[[bytes | None], asyncio.Future[str]]) -> None:
    url = await raw_server(None)
    async with ClientSession(timeout=0.2) as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.request("GET", url)
        with pytest.raises(asyncio.TimeoutError):
            await session.request("GET", url, timeout=0.1)


async def test_connection_refused() -> None:
    async with ClientSession() as session:
        with pytest.raises(ClientConnectionError, match="Cannot connect"):
            await session.request("GET", "http://127.0.0.1:1/")


async def test_closed_session_and_client() -> None:
    session = ClientSession()
    await session.close()
    with pytest.raises(RuntimeError, match="closed"):
        await session.request("GET", "http://127.0.0.1:1/")
    client = TestClient(TestServer(web.Application(), transport="memory"))
    await client.start_server()
    await client.close()
    await client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await client.get("/")


async def test_raise_for_status_option() -> None:
    async with TestClient(
        TestServer(web.Application(), transport="memory"), raise_for_status=True
    ) as client:
        with pytest.raises(ClientResponseError) as info:
            await client.get("/missing")
        assert info.value.status == 404
        assert info.value.request_info is not None
        assert info.value.request_info.method == "GET"
        resp = await client.get("/missing", raise_for_status=False)
        assert resp.status == 404
        assert not resp.ok


async def test_expect_continue_waits_for_the_interim_answer() -> None:
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Expect: 100-continue" in head
        try:
            seen.append(await asyncio.wait_for(reader.read(1), 0.2))
        except asyncio.TimeoutError:
            seen.append(b"")  # nothing before "100 Continue": right
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        seen.append(await reader.readexactly(5))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with ClientSession() as session:
            resp = await session.request(
                "POST", f"http://127.0.0.1:{port}/", data=b"hello", expect100=True
            )
            assert await resp.read() == b"ok"
    finally:
        server.close()
    assert seen == [b"", b"hello"]
