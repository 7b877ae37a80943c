"""Nagle is off on every accepted TCP connection, whoever made the listening socket.

asyncio turns TCP_NODELAY on only for sockets whose ``proto`` is ``IPPROTO_TCP``; a socket
made with ``socket.socket(AF_INET, SOCK_STREAM)`` (test servers, ``SockSite`` and
``run_app(sock=...)`` users) has ``proto == 0``. With Nagle on, the last small segment of a
streamed response waited for the client's delayed ACK (a 256 KiB stream took tens of
milliseconds instead of about one).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from web_app import BaseRequest, Response, Server, StreamResponse


async def report_socket(request: BaseRequest) -> StreamResponse:
    sock = request.get_extra_info("socket")
    if sock.family == socket.AF_UNIX:
        return Response(text="unix")
    nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    keepalive = sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
    return Response(text=f"nodelay={int(bool(nodelay))} keepalive={int(bool(keepalive))}")


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    return body


async def serve_plain_socket(**kwargs: Any) -> bytes:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert listener.proto == 0  # the case asyncio leaves with Nagle on
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = await asyncio.get_running_loop().create_server(
        Server(report_socket, **kwargs), sock=listener
    )
    try:
        port = listener.getsockname()[1]
        return await ask(*await asyncio.open_connection("127.0.0.1", port))
    finally:
        server.close()
        await server.wait_closed()


async def test_nodelay_on_a_connection_accepted_from_a_proto_0_socket() -> None:
    assert await serve_plain_socket() == b"nodelay=1 keepalive=1"


async def test_nodelay_does_not_depend_on_tcp_keepalive() -> None:
    assert await serve_plain_socket(tcp_keepalive=False) == b"nodelay=1 keepalive=0"


@pytest.mark.skipif(sys.platform == "win32", reason="no Unix sockets")
async def test_unix_socket_connection_is_served(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    server = await asyncio.get_running_loop().create_unix_server(Server(report_socket), path)
    try:
        assert await ask(*await asyncio.open_unix_connection(path)) == b"unix"
    finally:
        server.close()
        await server.wait_closed()
