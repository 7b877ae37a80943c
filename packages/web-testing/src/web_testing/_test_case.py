"""``AioHTTPTestCase``: a unittest base class with a test server and client per test."""

from __future__ import annotations

import asyncio
import unittest
from collections.abc import Callable
from typing import Any, TypeVar

import web

from ._client import TestClient
from ._server import TestServer, Transport

__all__ = ("AioHTTPTestCase", "unittest_run_loop")

_F = TypeVar("_F", bound=Callable[..., Any])


class AioHTTPTestCase(unittest.IsolatedAsyncioTestCase):
    """Define ``async get_application()``; each test gets ``self.client`` to it.

    ``self.app``, ``self.server`` (a started :class:`TestServer`), ``self.client`` (a
    :class:`TestClient`) and ``self.loop`` are set before each ``async def test_...``; the
    client and server are closed after it. Set ``transport = "memory"`` on the class to
    serve without a socket.
    """

    transport: Transport = "socket"
    app: web.Application
    server: TestServer
    client: TestClient
    loop: asyncio.AbstractEventLoop

    async def get_application(self) -> web.Application:
        raise RuntimeError("Did you forget to define get_application()?")

    async def get_server(self, app: web.Application) -> TestServer:
        return TestServer(app, transport=self.transport)

    async def get_client(self, server: TestServer) -> TestClient:
        return TestClient(server)

    async def asyncSetUp(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.setUpAsync()

    async def setUpAsync(self) -> None:
        """Make the app, server and client (override it and call ``super()`` first)."""
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def asyncTearDown(self) -> None:
        await self.tearDownAsync()

    async def tearDownAsync(self) -> None:
        await self.client.close()


def unittest_run_loop(func: _F) -> _F:
    """aiohttp's old decorator for async test methods; a no-op, as in aiohttp 3.8+."""
    return func
