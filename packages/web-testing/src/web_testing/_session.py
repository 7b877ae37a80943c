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

from multidict import CIMultiDict
from web_http import (
    ChunkedEncoder,
    serialize_request_head,
    supported_encodings as _supported_encodings,
)
from yarl import URL

from .__about__ import __version__
from ._body import RequestBody, make_body
from ._connection import ClientConnection, Exchange
from ._cookie_jar import CookieJar, cookie_header_of
from ._deadlines import Deadlines
from ._errors import ClientConnectionError, TooManyRedirects
from ._response import ClientResponse

__all__ = ("ClientSession", "Connector", "SocketConnector")

#: aiohttp's client waits 5 minutes; a stuck test should end sooner, a slow CI machine
#: should still pass.
DEFAULT_TIMEOUT = 60.0
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_SMALL_BODY = 64 * 1024
#: The methods whose request says "Content-Length: 0" when it has no body.
_EMPTY_BODIES = frozenset(("POST", "PUT", "PATCH"))
_FIXED_MAX = 64
USER_AGENT = f"web-testing/{__version__}"

OriginKey = tuple[str, str, int]
Opener = Callable[[URL, "ssl_module.SSLContext | bool | None"], Awaitable[ClientConnection]]


@functools.cache
def _accept_encoding() -> str:
    """The codings this installation decodes (fixed once the codec modules are imported)."""
    supported = _supported_encodings()
    return ", ".join(c for c in ("gzip", "deflate", "br", "zstd") if c in supported)


@functools.cache
def _auto_headers() -> tuple[tuple[str, str, str], ...]:
    """(name, lower-case name, value) of the headers added unless given or skipped."""
    fields = (
        ("Accept", "*/*"),
        ("Accept-Encoding", _accept_encoding()),
        ("User-Agent", USER_AGENT),
    )
    return tuple((name, name.lower(), value) for name, value in fields if value)


#: Where a redirect leads, by (URL, Location): a test follows the same few redirects over
#: and over, and parsing and joining a Location costs more than building the next request.
#: Shared by every session (URLs are immutable); bounded, emptied when full.
_TARGETS: dict[tuple[URL, str], URL] = {}
_TARGETS_MAX = 256

_NO_SKIP: frozenset[str] = frozenset()
#: The fields every plain request to an origin starts with, by (host, port, skipped): the
#: same for every session (their auto headers are), so a new test client finds them made.
_FIXED: dict[tuple[str | None, int | None, frozenset[str]], list[tuple[str, str]]] = {}


class Connector:
    """Opens connections (``open``) and keeps idle keep-alive ones for reuse."""

    def __init__(self, open_connection: Opener) -> None:
        self._open = open_connection
        self._idle: dict[OriginKey, list[ClientConnection]] = {}
        self._all: set[ClientConnection] = set()
        self.closed = False

    async def acquire(self, url: URL, ssl: ssl_module.SSLContext | bool | None) -> ClientConnection:
        key = _origin(url)
        conn = self.idle(key)
        if conn is None:
            conn = await self.open(url, ssl, key)
        return conn

    def idle(self, key: OriginKey) -> ClientConnection | None:
        """A kept keep-alive connection to ``key``'s origin, or ``None``."""
        if self.closed:
            raise ClientConnectionError("the client session is closed")
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reusable:
                return conn
            self._all.discard(conn)
        return None

    async def open(
        self, url: URL, ssl: ssl_module.SSLContext | bool | None, key: OriginKey
    ) -> ClientConnection:
        """A new connection to ``url``'s origin (``key``), which returns to this pool."""
        conn = await self._open(url, ssl)
        conn.pool = self
        conn.pool_key = key
        self._all.add(conn)
        return conn

    def release(self, conn: ClientConnection) -> None:
        if conn.reusable and not self.closed:
            idle = self._idle.get(conn.pool_key)
            if idle is None:
                self._idle[conn.pool_key] = [conn]
            else:
                idle.append(conn)
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
        self._skip_auto_headers = (
            frozenset(h.lower() for h in skip_auto_headers) if skip_auto_headers else _NO_SKIP
        )
        self._auto_headers = _auto_headers()

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
    def deadlines(self) -> Deadlines:
        """The session's time limits (one timer): requests and websockets wait on it."""
        return self._deadlines

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
        if self._connector.closed:
            raise RuntimeError("Session is closed")
        if type(url) is not URL:
            url = URL(url)
        if params is not None:
            url = url.extend_query(params)
        if not method.isupper():
            method = method.upper()
        body = None if data is None and json is None else make_body(data, json)
        skip = self._skip_auto_headers
        if skip_auto_headers:
            skip = skip | frozenset(h.lower() for h in skip_auto_headers)
        limit = self._timeout if timeout is None else _timeout_seconds(timeout)
        connector = self._connector
        history: tuple[ClientResponse, ...] = ()
        try:
            while True:
                # One exchange, in this coroutine (no layer of its own to await per request).
                if headers or cookies or self._default_headers:
                    out = self._request_headers(
                        url, body, headers, cookies, skip, chunked, expect100, method
                    )
                else:
                    out = self._plain_headers(url, body, skip, chunked, expect100, method)
                head = serialize_request_head(method, url.raw_path_qs or "/", out)
                # The limit is one entry on the session's timer, not a wrapping coroutine.
                deadline = None if limit is None else self._deadlines.start(limit)
                try:
                    key = (url.scheme, url.raw_host or "", url.port or 0)
                    conn = connector.idle(key)
                    if conn is None:
                        conn = await connector.open(url, ssl, key)
                    waiter = conn.start_request(method, expect_continue=expect100, pooled=True)
                    writer: asyncio.Task[None] | None = None
                    try:
                        if body is None:
                            conn.write(head)
                        else:
                            writer = await _send_body(
                                conn, head, body, out, chunked, expect100, waiter
                            )
                        response_head, content = await waiter
                    except BaseException:
                        connector.discard(conn)
                        if writer is not None:
                            writer.cancel()
                        raise
                except asyncio.CancelledError:
                    if deadline is not None and deadline.fired:
                        raise deadline.error() from None
                    raise
                finally:
                    if deadline is not None:
                        self._deadlines.stop(deadline)
                resp = ClientResponse(
                    response_head,
                    content,
                    method=method,
                    url=url,
                    request_headers=out,
                    history=history,
                    connection=conn,
                )
                if "Set-Cookie" in response_head.headers:
                    jar = self._cookie_jar
                    if type(jar).update_cookies is not CookieJar.update_cookies or not (
                        jar.update_from_set_cookie(response_head.headers.getall("Set-Cookie"), url)
                    ):
                        jar.update_cookies(resp.cookies, url)
                if not allow_redirects or response_head.status not in _REDIRECTS:
                    break
                location = response_head.headers.get("Location")
                if location is None:
                    break
                await resp.read()  # a redirect's body: read, so its connection can be reused
                history += (resp,)
                if len(history) > max_redirects:
                    raise TooManyRedirects(
                        resp.request_info,
                        history,
                        status=resp.status,
                        message="Too many redirects",
                        headers=resp.headers,
                    )
                if (resp.status == 303 and method != "HEAD") or (
                    resp.status in (301, 302) and method == "POST"
                ):
                    if body is not None:
                        await body.close()  # not sent again: its file is closed now
                    method, body = "GET", None
                elif body is not None and not body.replayable:
                    raise ClientConnectionError(
                        f"cannot resend a streamed body to follow a {resp.status} redirect"
                    )
                url = _redirect_target(url, location)
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
    ) -> list[tuple[str, str]]:
        """The header fields to send, in order: defaults, the request's own, then ours."""
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
            header = self._jar_cookie_header(url)
            if header:
                out["Cookie"] = header
        if body is not None:
            content_type = body.content_type
            if content_type and "Content-Type" not in out and "content-type" not in skip:
                out["Content-Type"] = content_type
            for name, value in body.headers:
                if name not in out:
                    out[name] = value
            length = body.length
            if chunked or length is None:
                out.popall("Content-Length", None)
                out["Transfer-Encoding"] = "chunked"
            elif "Content-Length" not in out:
                out["Content-Length"] = str(length)
        elif method in _EMPTY_BODIES and "Content-Length" not in out:
            out["Content-Length"] = "0"
        if expect100:
            out["Expect"] = "100-continue"
        return list(out.items())

    def _plain_headers(
        self,
        url: URL,
        body: RequestBody | None,
        skip: frozenset[str],
        chunked: bool | None,
        expect100: bool,
        method: str,
    ) -> list[tuple[str, str]]:
        """``_request_headers`` without default or per-request fields: no merging needed.

        The same fields in the same order, from a per-origin list of the fixed ones; that
        list itself (shared, never changed) when nothing is added to it (a bodiless GET).
        """
        key = (url.raw_host, url.explicit_port, skip)
        fixed = _FIXED.get(key)
        if fixed is None:
            fixed = []
            authority = _authority(url)
            if authority and "host" not in skip:
                fixed.append(("Host", authority))
            fixed += [(name, value) for name, lname, value in _auto_headers() if lname not in skip]
            if len(_FIXED) >= _FIXED_MAX:
                _FIXED.clear()
            _FIXED[key] = fixed
        jar = self._cookie_jar
        if type(jar).filter_cookies is CookieJar.filter_cookies:
            header = jar.cookie_header(url)
        else:
            header = cookie_header_of(jar.filter_cookies(url))  # a jar of the test's own
        if not header and body is None and not expect100 and method not in _EMPTY_BODIES:
            return fixed
        out = fixed.copy()  # the cached list is shared: never changed
        if header:
            out.append(("Cookie", header))
        if body is not None:
            content_type = body.content_type
            typed = bool(content_type) and "content-type" not in skip
            if typed:
                out.append(("Content-Type", content_type))
            extra = body.headers
            present: set[str] | None = None
            if extra:  # a file's Content-Disposition, a payload's own fields
                present = {"host", "accept", "accept-encoding", "user-agent", "cookie"}
                if typed:
                    present.add("content-type")
                for name, value in extra:
                    lname = name.lower()
                    if lname not in present:
                        out.append((name, value))
                        present.add(lname)
            length = body.length
            if chunked or length is None:
                out = [item for item in out if item[0].lower() != "content-length"]
                out.append(("Transfer-Encoding", "chunked"))
            elif present is None or "content-length" not in present:
                out.append(("Content-Length", str(length)))
        elif method in _EMPTY_BODIES:
            out.append(("Content-Length", "0"))
        if expect100:
            out.append(("Expect", "100-continue"))
        return out

    def _jar_cookie_header(self, url: URL) -> str:
        jar = self._cookie_jar
        if type(jar).filter_cookies is CookieJar.filter_cookies:
            return jar.cookie_header(url)
        return cookie_header_of(jar.filter_cookies(url))  # a jar of the test's own

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


async def _send_body(
    conn: ClientConnection,
    head: bytes,
    body: RequestBody,
    fields: list[tuple[str, str]],
    chunked: bool | None,
    expect100: bool,
    waiter: asyncio.Future[Exchange],
) -> asyncio.Task[None] | None:
    """Write the request ``head`` and its ``body``: at once when small, else from a task.

    Returns ``None`` once a small body is written; for a larger one, the task writing it,
    once that task ended or the response came. A task that failed before the response
    raises its error here (and a cancel here cancels the task).
    """
    length = body.length
    if length is not None and length <= _SMALL_BODY and not (chunked or expect100):
        whole = await body.in_memory()
        if whole is not None:
            conn.write(head + whole)
        else:
            pieces = [head]
            await body.write(_Collect(pieces))
            conn.write(b"".join(pieces))
        return None
    framed = any(k.lower() == "transfer-encoding" and v == "chunked" for k, v in fields)
    writer = asyncio.ensure_future(_write_body(conn, body, framed, expect100))
    writer.add_done_callback(_retrieve)
    conn.writer = writer  # the connection is reused only once the body is out
    try:
        conn.write(head)
        # A body that fails to produce its bytes ends the request at once.
        await asyncio.wait((waiter, writer), return_when=asyncio.FIRST_COMPLETED)
        if writer.done() and not writer.cancelled() and not waiter.done():
            error = writer.exception()
            if error is not None:
                raise error
    except BaseException:
        writer.cancel()
        raise
    return writer


def _redirect_target(url: URL, location: str) -> URL:
    """``url.join(URL(location))``, from ``_TARGETS`` when the same hop was made before."""
    key = (url, location)
    target = _TARGETS.get(key)
    if target is None:
        target = url.join(URL(location))
        if len(_TARGETS) >= _TARGETS_MAX:
            _TARGETS.clear()
        _TARGETS[key] = target
    return target


class _Collect:
    """A body's pieces gathered after the head, sent in one write (a small body)."""

    __slots__ = ("_pieces",)

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    async def __call__(self, chunk: bytes) -> None:
        self._pieces.append(chunk)


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
