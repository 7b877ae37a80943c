"""``TestClient``: an httpx client bound to one test server, with aiohttp's call style.

``await client.get("/")`` and ``async with client.get("/") as resp`` both work, as in aiohttp;
requests take paths (the server's address is filled in) and aiohttp's argument names
(``data=`` bytes or text as the body, ``allow_redirects=``), translated to httpx's.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Coroutine, Generator, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx
import web
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Origin, Subprotocol
from yarl import URL

from ._response import ClientResponse
from ._server import BaseTestServer, TestServer
from ._websocket import ClientWebSocket

__all__ = ("TestClient",)

_T = TypeVar("_T", ClientResponse, ClientWebSocket)

#: httpx's 5 s default is too short for a slow handler under a loaded CI machine; a stuck test
#: still ends (aiohttp's client waits 5 minutes).
DEFAULT_TIMEOUT = httpx.Timeout(60.0)


class _ContextManager(Generic[_T]):
    """Await it for the result, or ``async with`` it to close the result afterwards."""

    __slots__ = ("_coro", "_result")

    _coro: Coroutine[Any, Any, _T]
    _result: _T | None

    def __init__(self, coro: Coroutine[Any, Any, _T]) -> None:
        self._coro = coro
        self._result = None

    def __await__(self) -> Generator[Any, None, _T]:
        return self._coro.__await__()

    async def __aenter__(self) -> _T:
        self._result = await self._coro
        return self._result

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        result = self._result
        if isinstance(result, ClientWebSocket):
            await result.close()
        elif result is not None:
            result.release()


def _translate(kwargs: dict[str, Any]) -> dict[str, Any]:
    """aiohttp's request arguments in httpx's spelling."""
    if "allow_redirects" in kwargs:
        kwargs["follow_redirects"] = kwargs.pop("allow_redirects")
    if "data" in kwargs:
        data = kwargs["data"]
        if isinstance(data, (bytes, bytearray, memoryview)):
            kwargs["content"] = bytes(kwargs.pop("data"))
        elif isinstance(data, str):
            kwargs["content"] = kwargs.pop("data").encode("utf-8")
        elif data is None:
            del kwargs["data"]
        elif isinstance(data, AsyncIterable) or (
            isinstance(data, Iterable) and not isinstance(data, (Mapping, list, tuple))
        ):
            kwargs["content"] = kwargs.pop("data")  # a generator: a streamed (chunked) body
        elif isinstance(data, (list, tuple)):
            kwargs["data"] = _pairs_to_form(data)
    return kwargs


def _pairs_to_form(pairs: list[Any] | tuple[Any, ...]) -> dict[str, list[str]]:
    """aiohttp takes form fields as (name, value) pairs; httpx as a dict of lists."""
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(str(name), []).append(str(value))
    return form


class TestClient:
    """Requests to one :class:`BaseTestServer`; ``close()`` also closes the server.

    ``kwargs`` go to ``httpx.AsyncClient`` (``headers``, ``cookies``, ``timeout``,
    ``verify`` for an HTTPS test server ...). Redirects are followed by default, as in aiohttp;
    cookies the server sets are kept and sent back.
    """

    __test__ = False  # a class named Test* that pytest must not collect

    def __init__(self, server: BaseTestServer, **kwargs: Any) -> None:
        if not isinstance(server, BaseTestServer):
            raise TypeError(f"server must be a TestServer or RawTestServer, got {server!r}")
        self._server = server
        kwargs.pop("loop", None)  # aiohttp's deprecated argument
        kwargs.setdefault("follow_redirects", True)
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("trust_env", False)  # no proxy from the environment for 127.0.0.1
        self._session = httpx.AsyncClient(**kwargs)
        self._websockets: list[ClientWebSocket] = []
        self._closed = False

    async def start_server(self) -> None:
        await self._server.start_server()

    @property
    def server(self) -> BaseTestServer:
        return self._server

    @property
    def app(self) -> web.Application | None:
        """The application of a :class:`TestServer`, ``None`` for a raw server."""
        return self._server.app if isinstance(self._server, TestServer) else None

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int | None:
        return self._server.port

    @property
    def session(self) -> httpx.AsyncClient:
        """The httpx client (its cookie jar is ``session.cookies``)."""
        return self._session

    @property
    def closed(self) -> bool:
        return self._closed

    def make_url(self, path: str | URL) -> URL:
        return self._server.make_url(path)

    async def _request(self, method: str, path: str | URL, **kwargs: Any) -> ClientResponse:
        if self._closed:
            raise RuntimeError("the test client is closed")
        url = str(self._server.make_url(path))
        response = await self._session.request(method, url, **_translate(kwargs))
        return ClientResponse(response)

    def request(
        self, method: str, path: str | URL, **kwargs: Any
    ) -> _ContextManager[ClientResponse]:
        """Send ``method path``; the response's body is read before it is returned."""
        return _ContextManager(self._request(method, path, **kwargs))

    def get(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("POST", path, **kwargs)

    def put(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(
        self,
        path: str | URL,
        *,
        protocols: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        origin: str | None = None,
        max_msg_size: int = 4 * 1024 * 1024,
        compress: bool = False,
        timeout: float | None = 10.0,
        **kwargs: Any,
    ) -> _ContextManager[ClientWebSocket]:
        """Open a websocket to ``path`` (``ws://`` or ``wss://`` after the server's scheme).

        ``protocols`` are offered subprotocols, ``compress`` offers permessage-deflate; other
        keyword arguments go to ``websockets.asyncio.client.connect`` (``ssl=`` for wss).
        """
        return _ContextManager(
            self._ws_connect(
                path,
                protocols=tuple(protocols),
                headers=headers,
                origin=origin,
                max_msg_size=max_msg_size,
                compress=compress,
                timeout=timeout,
                **kwargs,
            )
        )

    async def _ws_connect(
        self,
        path: str | URL,
        *,
        protocols: tuple[str, ...],
        headers: Mapping[str, str] | None,
        origin: str | None,
        max_msg_size: int,
        compress: bool,
        timeout: float | None,
        **kwargs: Any,
    ) -> ClientWebSocket:
        if self._closed:
            raise RuntimeError("the test client is closed")
        url = self._server.make_url(path)
        url = url.with_scheme("wss" if url.scheme == "https" else "ws")
        conn = await ws_connect(
            str(url),
            subprotocols=[Subprotocol(p) for p in protocols] or None,
            additional_headers=dict(headers) if headers else None,
            origin=Origin(origin) if origin is not None else None,
            compression="deflate" if compress else None,
            max_size=max_msg_size or None,
            open_timeout=timeout,
            ping_interval=None,  # aiohttp's client does not ping unless asked (heartbeat)
            proxy=None,
            **kwargs,
        )
        ws = ClientWebSocket(conn)
        self._websockets.append(ws)
        return ws

    async def close(self) -> None:
        """Close open websockets, the httpx client and the server (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for ws in self._websockets:
            await ws.close()
        self._websockets.clear()
        await self._session.aclose()
        await self._server.close()

    def __enter__(self) -> None:
        raise TypeError("use 'async with' with a test client")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None  # never reached: __enter__ raises

    async def __aenter__(self) -> TestClient:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
