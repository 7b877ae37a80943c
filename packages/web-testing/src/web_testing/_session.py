"""``ClientSession``: the test client's HTTP/1.1 client, with aiohttp's request semantics.

It builds each request (default headers, cookies from its jar, the encoded body), sends it
over a pooled keep-alive connection that its *connector* opens (a TCP socket, or an in-memory
connection to the test server), and follows redirects as aiohttp does. Written over
web-http's serializer and response parser rather than httpx so that responses are aiohttp's
shape (multidict headers, a ``StreamReader`` body, cookie morsels) and the same code runs
with and without a socket.
"""

from __future__ import annotations

import asyncio
import functools
import ssl as ssl_module
from collections.abc import Awaitable, Callable, Iterable, Mapping
from http.cookies import Morsel
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy
from web_http import (
    ChunkedEncoder,
    ResponseHead,
    StreamReader,
    serialize_request_head,
    supported_encodings as _supported_encodings,
)
from yarl import URL

from .__about__ import __version__
from ._body import RequestBody, make_body
from ._connection import ClientConnection
from ._cookie_jar import CookieJar, cookie_header_of
from ._deadlines import Deadlines
from ._errors import ClientConnectionError, RequestInfo, TooManyRedirects
from ._response import ClientResponse

__all__ = ("ClientSession", "Connector", "SocketConnector")

#: aiohttp's client waits 5 minutes; a stuck test should end sooner, a slow CI machine
#: should still pass.
DEFAULT_TIMEOUT = 60.0
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_SMALL_BODY = 64 * 1024
USER_AGENT = f"web-testing/{__version__}"

OriginKey = tuple[str, str, int]
Opener = Callable[[URL, "ssl_module.SSLContext | bool | None"], Awaitable[ClientConnection]]


@functools.cache
def _accept_encoding() -> str:
    """The codings this installation decodes (fixed once the codec modules are imported)."""
    supported = _supported_encodings()
    return ", ".join(c for c in ("gzip", "deflate", "br", "zstd") if c in supported)


class Connector:
    """Opens connections (``open``) and keeps idle keep-alive ones for reuse."""

    def __init__(self, open_connection: Opener) -> None:
        self._open = open_connection
        self._idle: dict[OriginKey, list[ClientConnection]] = {}
        self._all: set[ClientConnection] = set()
        self.closed = False

    async def acquire(self, url: URL, ssl: ssl_module.SSLContext | bool | None) -> ClientConnection:
        if self.closed:
            raise ClientConnectionError("the client session is closed")
        idle = self._idle.get(_origin(url))
        while idle:
            conn = idle.pop()
            if conn.reusable:
                return conn
            self._all.discard(conn)
        conn = await self._open(url, ssl)
        self._all.add(conn)
        return conn

    def release(self, url: URL, conn: ClientConnection) -> None:
        if conn.reusable and not self.closed:
            self._idle.setdefault(_origin(url), []).append(conn)
        else:
            self.discard(conn)

    def discard(self, conn: ClientConnection) -> None:
        self._all.discard(conn)
        conn.close()

    async def close(self) -> None:
        self.closed = True
        conns = list(self._all)
        self._all.clear()
        self._idle.clear()
        for conn in conns:
            conn.close()
        if conns:
            await asyncio.sleep(0)  # let the transports deliver connection_lost


def _origin(url: URL) -> OriginKey:
    return (url.scheme, url.raw_host or "", url.port or 0)


class SocketConnector(Connector):
    """TCP (and TLS for https/wss) connections to the URL's host and port."""

    def __init__(self, *, ssl: ssl_module.SSLContext | bool | None = None) -> None:
        self._ssl = ssl
        super().__init__(self._connect)

    async def _connect(
        self, url: URL, ssl: ssl_module.SSLContext | bool | None
    ) -> ClientConnection:
        loop = asyncio.get_running_loop()
        secure = url.scheme in ("https", "wss")
        context: ssl_module.SSLContext | None = None
        choice = self._ssl if ssl is None else ssl
        if secure:
            if isinstance(choice, ssl_module.SSLContext):
                context = choice
            elif choice is False:
                context = ssl_module.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl_module.CERT_NONE
            else:
                context = ssl_module.create_default_context()
        host = url.raw_host or "127.0.0.1"
        try:
            _, conn = await loop.create_connection(
                ClientConnection,
                host.strip("[]"),
                url.port or (443 if secure else 80),
                ssl=context,
                server_hostname=host.strip("[]") if context is not None else None,
            )
        except OSError as exc:
            raise ClientConnectionError(f"Cannot connect to {host}:{url.port}: {exc}") from exc
        return conn


class ClientSession:
    """Requests with shared default headers, a cookie jar and a connection pool."""

    def __init__(
        self,
        connector: Connector | None = None,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        cookies: Mapping[str, str | Morsel[str]] | None = None,
        cookie_jar: CookieJar | None = None,
        auto_decompress: bool = True,
        raise_for_status: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        skip_auto_headers: Iterable[str] = (),
    ) -> None:
        self._connector = connector if connector is not None else SocketConnector()
        self._default_headers = CIMultiDict(headers or {})
        self._cookie_jar = cookie_jar if cookie_jar is not None else CookieJar(unsafe=True)
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._auto_decompress = auto_decompress
        self._raise_for_status = raise_for_status
        self._timeout = _timeout_seconds(timeout)
        self._deadlines = Deadlines()
        self._skip_auto_headers = frozenset(h.lower() for h in skip_auto_headers)
        accept_encoding = _accept_encoding()
        #: (name, lower-case name, value) of the headers added unless given or skipped.
        self._auto_headers = tuple(
            (name, name.lower(), value)
            for name, value in (
                ("Accept", "*/*"),
                ("Accept-Encoding", accept_encoding),
                ("User-Agent", USER_AGENT),
            )
            if value
        )

    @property
    def cookie_jar(self) -> CookieJar:
        return self._cookie_jar

    @property
    def headers(self) -> CIMultiDict[str]:
        return self._default_headers

    @property
    def connector(self) -> Connector:
        return self._connector

    @property
    def closed(self) -> bool:
        return self._connector.closed

    async def close(self) -> None:
        self._deadlines.close()
        await self._connector.close()

    async def __aenter__(self) -> ClientSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def request(
        self,
        method: str,
        url: URL | str,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        cookies: Mapping[str, str | Morsel[str]] | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        allow_redirects: bool = True,
        max_redirects: int = 10,
        raise_for_status: bool | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        timeout: Any = None,
        ssl: ssl_module.SSLContext | bool | None = None,
        read_until_eof: bool = True,
    ) -> ClientResponse:
        """Send ``method url``; the response comes back after its head, body unread."""
        if self.closed:
            raise RuntimeError("Session is closed")
        url = URL(url)
        if params is not None:
            url = url.extend_query(params)
        method = method.upper()
        body = make_body(data, json)
        skip = self._skip_auto_headers
        if skip_auto_headers:
            skip = skip | frozenset(h.lower() for h in skip_auto_headers)
        limit = self._timeout if timeout is None else _timeout_seconds(timeout)
        history: list[ClientResponse] = []
        try:
            while True:
                coro = self._send(
                    method, url, body, headers, cookies, skip, chunked, expect100, ssl, history
                )
                resp = await (coro if limit is None else self._deadlines.within(coro, limit))
                location = resp.headers.get("Location")
                if not allow_redirects or resp.status not in _REDIRECTS or location is None:
                    break
                await resp.read()  # a redirect's body: read, so its connection can be reused
                history.append(resp)
                if len(history) > max_redirects:
                    raise TooManyRedirects(
                        resp.request_info,
                        tuple(history),
                        status=resp.status,
                        message="Too many redirects",
                        headers=resp.headers,
                    )
                if (resp.status == 303 and method != "HEAD") or (
                    resp.status in (301, 302) and method == "POST"
                ):
                    method, body = "GET", None
                elif body is not None and not body.replayable:
                    raise ClientConnectionError(
                        f"cannot resend a streamed body to follow a {resp.status} redirect"
                    )
                url = url.join(URL(location))
        finally:
            if body is not None:
                await body.close()
        check = self._raise_for_status if raise_for_status is None else raise_for_status
        if check:
            resp.raise_for_status()
        return resp

    def _request_headers(
        self,
        url: URL,
        body: RequestBody | None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
        cookies: Mapping[str, str | Morsel[str]] | None,
        skip: frozenset[str],
        chunked: bool | None,
        expect100: bool,
        method: str,
    ) -> CIMultiDict[str]:
        out: CIMultiDict[str] = CIMultiDict(self._default_headers)
        if headers:
            given = CIMultiDict(headers)
            for name in given:
                out.popall(name, None)
            out.extend(given)
        if "Host" not in out and "host" not in skip:
            authority = _authority(url)
            if authority:
                out["Host"] = authority
        for name, lname, value in self._auto_headers:
            if lname not in skip and name not in out:
                out[name] = value
        if cookies:
            jar_cookies = self._cookie_jar.filter_cookies(url)
            for key, cookie in cookies.items():
                jar_cookies[key] = cookie.value if isinstance(cookie, Morsel) else str(cookie)
            if jar_cookies and "Cookie" not in out:
                out["Cookie"] = cookie_header_of(jar_cookies)
        elif "Cookie" not in out:
            jar = self._cookie_jar
            if type(jar).filter_cookies is CookieJar.filter_cookies:
                header = jar.cookie_header(url)
            else:  # a jar of the test's own that chooses its cookies
                header = cookie_header_of(jar.filter_cookies(url))
            if header:
                out["Cookie"] = header
        if body is not None:
            if body.content_type and "Content-Type" not in out and "content-type" not in skip:
                out["Content-Type"] = body.content_type
            for name, value in body.headers:
                if name not in out:
                    out[name] = value
            if chunked or body.length is None:
                out.popall("Content-Length", None)
                out["Transfer-Encoding"] = "chunked"
            elif "Content-Length" not in out:
                out["Content-Length"] = str(body.length)
        elif method in ("POST", "PUT", "PATCH") and "Content-Length" not in out:
            out["Content-Length"] = "0"
        if expect100:
            out["Expect"] = "100-continue"
        return out

    async def _send(
        self,
        method: str,
        url: URL,
        body: RequestBody | None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
        cookies: Mapping[str, str | Morsel[str]] | None,
        skip: frozenset[str],
        chunked: bool | None,
        expect100: bool,
        ssl: ssl_module.SSLContext | bool | None,
        history: list[ClientResponse],
    ) -> ClientResponse:
        out = self._request_headers(url, body, headers, cookies, skip, chunked, expect100, method)
        target = url.raw_path_qs or "/"
        head = serialize_request_head(method, target, list(out.items()))
        connector = self._connector
        conn = await connector.acquire(url, ssl)
        waiter = conn.start_request(method, expect_continue=expect100)
        writer: asyncio.Task[None] | None = None
        try:
            if body is None:
                conn.write(head)
            elif (
                body.length is not None
                and body.length <= _SMALL_BODY
                and not (chunked or expect100)
            ):
                pieces = [head]

                async def collect(chunk: bytes) -> None:
                    pieces.append(chunk)

                await body.write(collect)
                conn.write(b"".join(pieces))
            else:
                conn.write(head)
                writer = asyncio.ensure_future(
                    _write_body(conn, body, out.get("Transfer-Encoding") == "chunked", expect100)
                )
                writer.add_done_callback(_retrieve)
            if writer is not None:
                # A body that fails to produce its bytes ends the request at once.
                await asyncio.wait((waiter, writer), return_when=asyncio.FIRST_COMPLETED)
                if writer.done() and not writer.cancelled() and not waiter.done():
                    error = writer.exception()
                    if error is not None:
                        raise error
            response_head, payload = await waiter
        except BaseException:
            connector.discard(conn)
            if writer is not None:
                writer.cancel()
            raise
        request_info = RequestInfo(url, method, CIMultiDictProxy(out), url)
        resp = _make_response(
            response_head, payload, method, url, request_info, history, conn, writer, connector
        )
        if "Set-Cookie" in response_head.headers:
            self._cookie_jar.update_cookies(resp.cookies, url)
        return resp

    # aiohttp's method helpers on a session
    async def get(self, url: URL | str, **kwargs: Any) -> ClientResponse:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: URL | str, **kwargs: Any) -> ClientResponse:
        return await self.request("POST", url, **kwargs)


def _authority(url: URL) -> str:
    """The Host header of ``url``: its host (an IPv6 literal in brackets), an explicit port."""
    authority = url.raw_host or ""
    if ":" in authority:
        authority = f"[{authority}]"  # an IPv6 literal
    if url.explicit_port is not None:
        authority = f"{authority}:{url.explicit_port}"
    return authority


def _make_response(
    head: ResponseHead,
    payload: StreamReader,
    method: str,
    url: URL,
    request_info: RequestInfo,
    history: list[ClientResponse],
    conn: ClientConnection,
    writer: asyncio.Task[None] | None,
    connector: Connector,
) -> ClientResponse:
    def finished() -> None:
        # The whole body is parsed (it may still be unread in ``content``).
        if writer is None or (writer.done() and not writer.cancelled() and not writer.exception()):
            connector.release(url, conn)
        else:
            connector.discard(conn)

    def released() -> None:
        if not payload.is_eof():
            connector.discard(conn)  # an unread rest: this connection cannot be reused

    payload.on_eof(finished)
    return ClientResponse(
        head,
        payload,
        method=method,
        url=url,
        request_info=request_info,
        history=tuple(history),
        on_release=released,
    )


async def _write_body(
    conn: ClientConnection, body: RequestBody, chunked: bool, expect_continue: bool
) -> None:
    continued = conn.continued
    if expect_continue and continued is not None:
        # The body goes only after "100 Continue"; a final answer first means it never does
        # (the connection is then dropped once that answer is read).
        await asyncio.shield(continued)
    encoder = ChunkedEncoder() if chunked else None

    async def send(chunk: bytes) -> None:
        conn.write(encoder.encode(chunk) if encoder is not None else chunk)
        await conn.drain()

    await body.write(send)
    if encoder is not None:
        conn.write(encoder.end())


def _retrieve(task: asyncio.Task[None]) -> None:
    """A body write cut by the server's answer or close is not an error of its own."""
    if not task.cancelled():
        task.exception()


def _timeout_seconds(timeout: Any) -> float | None:
    """A number of seconds, ``None``, or an object with ``total`` (aiohttp's ClientTimeout)."""
    if timeout is None or isinstance(timeout, (int, float)):
        return None if timeout is None else float(timeout)
    total = getattr(timeout, "total", None)
    if total is None or isinstance(total, (int, float)):
        return None if total is None else float(total)
    raise TypeError(f"timeout must be seconds or have a 'total', got {timeout!r}")
