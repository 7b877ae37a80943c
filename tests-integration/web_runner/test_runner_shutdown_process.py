"""SIGTERM to a real ``run_app`` process (issue 15): open websockets get a close frame with
code 1001 before the process exits, the in-flight HTTP request finishes, new connections are
refused, and the exit code is 0. Also the run_app timeout parameters (issue 18) end to end."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from support import free_port
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

APP = textwrap.dedent(
    """
    import asyncio, sys
    import web

    async def slow(request):
        print("slow started", flush=True)
        await asyncio.sleep(1.0)
        return web.Response(text="slow done")

    async def echo(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    async def upload(request):
        return web.Response(text=str(len(await request.read())))

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/ws", echo)
    app.router.add_post("/upload", upload)
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), shutdown_timeout=5, access_log=None,
        client_head_timeout=0.5, client_body_timeout=0.5,
    )
    """
)


def start(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    script = tmp_path / "app.py"
    script.write_text(APP)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)


async def test_sigterm_closes_websockets_with_1001_finishes_in_flight_refuses_new_and_exits_0(
    tmp_path: Path,
) -> None:
    proc, port = start(tmp_path)
    try:
        sockets = [await connect(f"ws://127.0.0.1:{port}/ws") for _ in range(3)]
        for ws in sockets:
            await ws.send("hello")
            assert await asyncio.wait_for(ws.recv(), 5) == "hello"
        client = httpx.AsyncClient(timeout=10)
        in_flight = asyncio.ensure_future(client.get(f"http://127.0.0.1:{port}/slow"))
        assert proc.stdout is not None
        while "slow started" not in await asyncio.to_thread(proc.stdout.readline):
            pass  # run_app's banner lines come first
        proc.send_signal(signal.SIGTERM)
        codes = []
        for ws in sockets:
            try:
                await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed as exc:
                assert exc.rcvd is not None, "no close frame from the server"
                codes.append(exc.rcvd.code)
        assert codes == [1001, 1001, 1001]
        # the listening socket is closed before the goodbyes: new connections are refused
        refused = False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except ConnectionRefusedError:
            refused = True
        assert refused
        reply = await in_flight  # the request in progress still gets its answer
        assert reply.status_code == 200 and reply.text == "slow done"
        await client.aclose()
        returncode = await asyncio.to_thread(proc.wait, 15)
        assert returncode == 0, proc.communicate()[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


async def test_run_app_head_and_body_timeouts_answer_408(tmp_path: Path) -> None:
    proc, port = start(tmp_path)
    try:
        for data in (
            b"GET /slow HTTP/1.1\r\nHost: x\r\n",  # a head that never ends
            b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",  # stalled body
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            t0 = time.monotonic()
            writer.write(data)
            answer = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
            assert 0.4 < time.monotonic() - t0 < 4
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        proc.communicate()
