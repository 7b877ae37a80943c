"""Slow clients (issue 15): 200 slowloris connections dribbling a head that never ends are cut
with 408 at ``client_head_timeout`` while normal requests keep being served meanwhile."""

from __future__ import annotations

import asyncio
import time

import httpx
import web
from support import serve

SLOW = 200


async def slowloris(port: int, stop: asyncio.Event) -> bytes:
    """Open a head and add one header byte every 50 ms until the server answers or closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        read = asyncio.ensure_future(reader.read())
        while not read.done() and not stop.is_set():
            writer.write(b"a")
            await asyncio.wait({read}, timeout=0.05)
        try:
            return await asyncio.wait_for(read, 5)
        except ConnectionResetError:
            # Closed while our bytes were still arriving: the kernel may turn the close into
            # a reset that drops the 408 on the way. Cut either way.
            return b"reset"
    finally:
        writer.close()


async def test_slowloris_connections_are_cut_while_normal_clients_are_served() -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    async with serve(app, client_head_timeout=0.5, access_log=None) as url:
        port = int(url.rsplit(":", 1)[1])
        stop = asyncio.Event()
        slow = [asyncio.ensure_future(slowloris(port, stop)) for _ in range(SLOW)]
        await asyncio.sleep(0.1)  # the slow heads are all open
        latencies: list[float] = []
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            t_end = time.monotonic() + 0.8  # past the head timeout of the slow ones
            while time.monotonic() < t_end:
                t0 = time.monotonic()
                replies = await asyncio.gather(*(client.get("/") for _ in range(5)))
                latencies.append(time.monotonic() - t0)
                assert [r.text for r in replies] == ["hello"] * 5
        answers = await asyncio.wait_for(asyncio.gather(*slow), 10)
        stop.set()
    assert len(latencies) >= 3  # served all along, not only after the slow ones were cut
    assert max(latencies) < 1.0
    assert all(a.startswith(b"HTTP/1.1 408 Request Timeout\r\n") or a == b"reset" for a in answers)
    assert any(a.startswith(b"HTTP/1.1 408 ") for a in answers)
