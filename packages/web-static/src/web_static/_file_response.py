"""``FileResponse``: a file as the body, with validators, ranges and precompressed siblings.

Two ways in, one way out:

* ``FileResponse(path)`` from a handler: all blocking work of the request (open,
  ``fstat``, evaluating the conditions, reading a small body) happens in ONE executor
  job, :func:`_plan`, since the path may lie on any file system;
* :class:`StaticResource` hands over a file it already opened on the loop (see
  ``_inline``): the conditions are evaluated on the loop and a small body is read with
  ``RWF_NOWAIT`` (page cache only), so a cached static file costs no executor hop.

Back on the loop, a body up to :data:`SMALL_BODY` leaves with the head in a single
``transport.write``; a larger one goes zero-copy with ``os.sendfile`` straight on a
plain socket (then ``loop.sendfile`` for what the socket did not take at once), or in
``chunk_size`` reads in the executor otherwise (TLS, compression, unknown transports).
Under an ASGI server that offers ``http.response.pathsend`` (web-asgi's writer then has
``send_path``), a whole large file is handed to the server by path instead.

Files are opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor: a
FIFO or device in a static directory is refused (403) instead of hanging a worker thread,
and the file that is checked is the file that is sent (no stat/open race).
"""

from __future__ import annotations

import asyncio
import enum
import errno
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from web_app import StreamResponse
from web_http import http_date

from ._conditions import (
    ByteRange,
    RangeNotSatisfiable,
    evaluate_preconditions,
    if_range_allows,
    last_modified_seconds,
    make_etag,
    resolve_ranges,
)
from ._inline import OPEN_FLAGS, Opened, read_cached
from ._mime import PRECOMPRESSED, acceptable_codings, guess_content_type
from ._sendfile import SocketLike, plain_socket, sendfile_now, set_cork

if TYPE_CHECKING:
    from web_app import BaseRequest, PayloadWriter

__all__ = ("DEFAULT_CHUNK_SIZE", "FileResponse")

DEFAULT_CHUNK_SIZE: Final = 256 * 1024
#: Bodies up to this size are read into memory and sent with the head in one write;
#: larger ones go zero-copy. Measured on loopback: below this size one copy through
#: Python costs less than the extra syscall and segment of a separate head.
SMALL_BODY: Final = 16 * 1024
#: aiohttp's switch, kept so deployments that needed it keep working unchanged.
NOSENDFILE: Final = bool(os.environ.get("AIOHTTP_NOSENDFILE"))

_SIBLING_FLAGS: Final = OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0)
_SUFFIXES: Final = dict(PRECOMPRESSED)

_CONTENT_TYPE: Final = "Content-Type"
_CONTENT_ENCODING: Final = "Content-Encoding"
_CONTENT_RANGE: Final = "Content-Range"
_ACCEPT_RANGES: Final = "Accept-Ranges"
_LAST_MODIFIED: Final = "Last-Modified"
_VARY: Final = "Vary"


class _Outcome(enum.Enum):
    SEND = 1
    NOT_MODIFIED = 2
    PRECONDITION_FAILED = 3
    NOT_SATISFIABLE = 4
    FORBIDDEN = 5
    NOT_FOUND = 6


@dataclass(frozen=True, slots=True)
class _Conditions:
    """The request facts the decision needs, copied out of the headers on the loop."""

    method: str
    accept_encoding: str | None
    if_match: str | None
    if_none_match: str | None
    if_modified_since: str | None
    if_unmodified_since: str | None
    range: str | None
    if_range: str | None

    @classmethod
    def of(cls, request: BaseRequest) -> _Conditions:
        h: Mapping[str, str] = request.headers
        return cls(
            request.method,
            h.get("Accept-Encoding"),
            h.get("If-Match"),
            h.get("If-None-Match"),
            h.get("If-Modified-Since"),
            h.get("If-Unmodified-Since"),
            h.get("Range"),
            h.get("If-Range"),
        )


@dataclass(slots=True)
class _Plan:
    """What was found: the outcome, the validators, the open file and a read body."""

    outcome: _Outcome
    size: int = 0
    etag: str = ""
    last_modified: int = 0
    encoding: str | None = None
    byte_range: ByteRange | None = None
    #: Two ranges or more: the body is ``multipart/byteranges``.
    ranges: tuple[ByteRange, ...] | None = None
    #: The open descriptor the body comes from (-1: nothing to send, already closed).
    fd: int = -1
    #: The whole body when it is small and was read already (None: not read).
    body: bytes | bytearray | None = None


@lru_cache(maxsize=1024)
def _last_modified_value(seconds: int) -> str:
    """``Last-Modified`` for a whole second; static files keep few distinct mtimes."""
    return http_date(seconds)


def _open_regular(path: str, flags: int) -> tuple[int, os.stat_result]:
    """Open ``path`` and ``fstat`` it; raises ``IsADirectoryError`` for non-regular files."""
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise IsADirectoryError(path)
    return fd, st


def _open_sibling(path: str, accept_encoding: str) -> tuple[int, os.stat_result, str] | None:
    """Open the best precompressed sibling the client accepts, if there is one.

    Siblings must be regular files and not symlinks (``O_NOFOLLOW``), as aiohttp requires,
    so a stray link next to a static file cannot widen what is served.
    """
    for coding in acceptable_codings(accept_encoding.lower()):
        try:
            fd, st = _open_regular(path + _SUFFIXES[coding], _SIBLING_FLAGS)
        except (OSError, ValueError):
            continue
        return fd, st, coding
    return None


def _decide(fd: int, st: os.stat_result, encoding: str | None, cond: _Conditions) -> _Plan:
    """Validators, preconditions and range for an open file (pure: no I/O)."""
    size = st.st_size
    etag = make_etag(st.st_mtime_ns, size)
    last_modified = last_modified_seconds(st.st_mtime)
    plan = _Plan(_Outcome.SEND, size, etag, last_modified, encoding)
    if (
        cond.if_match is not None
        or cond.if_none_match is not None
        or cond.if_modified_since is not None
        or cond.if_unmodified_since is not None
    ):
        status = evaluate_preconditions(
            cond.method,
            etag,
            last_modified,
            if_match=cond.if_match,
            if_none_match=cond.if_none_match,
            if_modified_since=cond.if_modified_since,
            if_unmodified_since=cond.if_unmodified_since,
        )
        if status is not None:
            plan.outcome = _Outcome.NOT_MODIFIED if status == 304 else _Outcome.PRECONDITION_FAILED
            return plan
    if (
        cond.range is not None
        and cond.method in ("GET", "HEAD")
        and if_range_allows(cond.if_range, etag, last_modified)
    ):
        try:
            ranges = resolve_ranges(cond.range, size)
        except RangeNotSatisfiable:
            plan.outcome = _Outcome.NOT_SATISFIABLE
            return plan
        if ranges is not None:
            if len(ranges) == 1:
                plan.byte_range = ranges[0]
            else:
                plan.ranges = ranges
    if cond.method != "HEAD" and _span(plan)[1] > 0:
        plan.fd = fd  # the caller keeps the descriptor open for the body
    return plan


def _plan(path: str, cond: _Conditions) -> _Plan:
    """The whole blocking part of a handler's file response (runs in the executor)."""
    variant: tuple[int, os.stat_result, str | None] | None
    try:
        variant = _open_sibling(path, cond.accept_encoding) if cond.accept_encoding else None
        if variant is None:
            fd, st = _open_regular(path, OPEN_FLAGS)
            variant = fd, st, None
    except (IsADirectoryError, PermissionError):
        return _Plan(_Outcome.FORBIDDEN)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            # a Unix socket (or a device without a driver): there, but no file, so 403 as aiohttp
            return _Plan(_Outcome.FORBIDDEN)
        # Missing, a path through a non-directory, too long, a symlink loop.
        return _Plan(_Outcome.NOT_FOUND)
    except ValueError:  # a NUL byte
        return _Plan(_Outcome.NOT_FOUND)
    fd, st, encoding = variant
    try:
        plan = _decide(fd, st, encoding, cond)
        if plan.fd >= 0 and plan.ranges is None:
            start, count = _span(plan)
            if count <= SMALL_BODY:
                plan.body = os.pread(fd, count, start)
    except BaseException:
        os.close(fd)
        raise
    if plan.fd < 0:
        os.close(fd)
    return plan


def _file_object(fd: int) -> BinaryIO:
    """A file object over ``fd`` for ``loop.sendfile`` (no I/O; the fd stays ours)."""
    return open(fd, "rb", closefd=False)


def _span(plan: _Plan) -> tuple[int, int]:
    """Where the body starts and how long it is (a multipart body: its file bytes)."""
    if plan.ranges is not None:
        return plan.ranges[0].start, sum(r.count for r in plan.ranges)
    rng = plan.byte_range
    return (0, plan.size) if rng is None else (rng.start, rng.count)


class FileResponse(StreamResponse):
    """Send the file at ``path`` (``str`` or ``pathlib.Path``) as the response body.

    Missing files answer 404 and directories or unreadable files 403 (with no body), so
    a handler can return ``FileResponse(path)`` without checking first. ``status`` is
    used for a full 200-style answer; ranges turn it into 206, validators into 304/412.
    Headers given here (``Content-Type`` included) win over the guessed ones.
    """

    #: The body follows at once: let the head wait and share its write.
    send_headers_at_prepare = False
    #: A file the static resource opened already (closed when the response is done).
    _opened: Opened | None = None

    def __init__(
        self,
        path: str | os.PathLike[str],
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        status: int = 200,
        reason: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self._path_str = os.fspath(path)
        self._chunk_size = chunk_size

    @classmethod
    def _of_opened(cls, opened: Opened, chunk_size: int) -> FileResponse:
        """A response for a file opened (and checked) by the caller; it owns the fd now."""
        resp = cls(opened[2], chunk_size=chunk_size)
        resp._opened = opened
        return resp

    def __del__(self) -> None:
        # A response dropped before prepare (a middleware replaced it) must not leak
        # the descriptor the static resource opened for it.
        opened = self._opened
        if opened is not None:
            self._opened = None
            os.close(opened[0])

    @property
    def path(self) -> Path:
        return Path(self._path_str)

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        if self.prepared:
            return await super().prepare(request)
        cond = _Conditions.of(request)
        opened = self._opened
        if opened is not None:
            self._opened = None
            plan = await self._plan_opened(opened, cond)
        else:
            loop = asyncio.get_running_loop()
            plan = await loop.run_in_executor(None, _plan, self._path_str, cond)
        try:
            return await self._answer(request, plan)
        finally:
            if plan.fd >= 0:
                os.close(plan.fd)

    async def _plan_opened(self, opened: Opened, cond: _Conditions) -> _Plan:
        """:func:`_plan` for an already open file, on the loop (no executor hop)."""
        fd, st, path = opened
        try:
            encoding = None
            if cond.accept_encoding:
                sibling = _open_sibling(path, cond.accept_encoding)
                if sibling is not None:
                    os.close(fd)
                    fd, st, encoding = sibling
            plan = _decide(fd, st, encoding, cond)
        except BaseException:
            os.close(fd)
            raise
        if plan.fd < 0:
            os.close(fd)
            return plan
        start, count = _span(plan)
        if count <= SMALL_BODY and plan.ranges is None:
            body: bytes | bytearray | None = read_cached(fd, start, count)
            if body is None:
                try:
                    loop = asyncio.get_running_loop()
                    body = await loop.run_in_executor(None, os.pread, fd, count, start)
                except BaseException:
                    os.close(fd)
                    raise
            plan.body = body
        return plan

    async def _answer(self, request: BaseRequest, plan: _Plan) -> PayloadWriter | None:
        outcome = plan.outcome
        if outcome is _Outcome.NOT_FOUND:
            return await self._empty(request, 404)
        if outcome is _Outcome.FORBIDDEN:
            return await self._empty(request, 403)
        if outcome is _Outcome.PRECONDITION_FAILED:
            return await self._empty(request, 412)
        if outcome is _Outcome.NOT_SATISFIABLE:
            self.headers[_CONTENT_RANGE] = f"bytes */{plan.size}"
            return await self._empty(request, 416)
        self._set_validators(plan)
        if plan.encoding is not None:
            self._vary_on_accept_encoding()
        if outcome is _Outcome.NOT_MODIFIED:
            self.set_status(304)
            return await super().prepare(request)
        return await self._send(request, plan)

    def _set_validators(self, plan: _Plan) -> None:
        """ETag and Last-Modified of the file (replacing any the handler set)."""
        self.etag = plan.etag
        self.headers[_LAST_MODIFIED] = _last_modified_value(plan.last_modified)

    async def _empty(self, request: BaseRequest, status: int) -> PayloadWriter | None:
        self.set_status(status)
        self.content_length = 0
        return await super().prepare(request)

    def _vary_on_accept_encoding(self) -> None:
        vary = self.headers.get(_VARY)
        if vary is None:
            self.headers[_VARY] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower() and vary.strip() != "*":
            self.headers[_VARY] = f"{vary}, Accept-Encoding"

    async def _send(self, request: BaseRequest, plan: _Plan) -> PayloadWriter | None:
        if plan.ranges is not None:
            return await self._send_multipart(request, plan, plan.ranges)
        headers = self.headers
        rng = plan.byte_range
        if rng is not None:
            self.set_status(206)
            headers[_CONTENT_RANGE] = rng.content_range
        if _CONTENT_TYPE not in headers:
            self.content_type = guess_content_type(os.path.basename(self._path_str))
        if plan.encoding is not None:
            headers[_CONTENT_ENCODING] = plan.encoding
        headers[_ACCEPT_RANGES] = "bytes"
        start, count = _span(plan)
        self.content_length = count
        # Status and headers are final: let middlewares' prepare callbacks (compression)
        # judge the real response before the framing is chosen.
        await self.run_prepare_callbacks(request)
        compress = self.compression and plan.encoding is None
        if not compress:
            # We frame the body ourselves (exact Content-Length, sendfile bytes included).
            self.auto_framing = False
        writer = await super().prepare(request)
        if writer is None or plan.fd < 0:
            return writer  # HEAD, an empty file, or a body that must be empty
        body = plan.body
        if body is not None:
            await self.write(body)
            if len(body) < count:
                self.force_close()  # the file shrank under us: the length is announced
            return writer
        send_path = getattr(writer, "send_path", None)
        if send_path is not None and rng is None and writer.compression is None:
            # An ASGI server offering http.response.pathsend reads the file itself.
            suffix = "" if plan.encoding is None else _SUFFIXES[plan.encoding]
            await send_path(self._path_str + suffix)
            return writer
        await self._send_large(request, writer, plan.fd, start, count)
        return writer

    async def _send_multipart(
        self, request: BaseRequest, plan: _Plan, ranges: tuple[ByteRange, ...]
    ) -> PayloadWriter | None:
        """206 with a ``multipart/byteranges`` body (RFC 9110 14.6), exact Content-Length."""
        headers = self.headers
        self.set_status(206)
        ctype = headers.get(_CONTENT_TYPE) or guess_content_type(os.path.basename(self._path_str))
        boundary = secrets.token_hex(16)
        heads = [
            (
                f"\r\n--{boundary}\r\nContent-Type: {ctype}\r\n"
                f"Content-Range: {rng.content_range}\r\n\r\n"
            ).encode("latin-1")
            for rng in ranges
        ]
        heads[0] = heads[0][2:]  # the first delimiter needs no CRLF before it
        tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
        headers[_CONTENT_TYPE] = f"multipart/byteranges; boundary={boundary}"
        if plan.encoding is not None:
            headers[_CONTENT_ENCODING] = plan.encoding
        headers[_ACCEPT_RANGES] = "bytes"
        self.content_length = sum(map(len, heads)) + sum(r.count for r in ranges) + len(tail)
        await self.run_prepare_callbacks(request)
        self.auto_framing = False  # we frame the parts ourselves
        writer = await super().prepare(request)
        if writer is None or plan.fd < 0:
            return writer
        for head, rng in zip(heads, ranges, strict=True):
            await self.write(head)
            await self._send_chunks(writer, plan.fd, rng.start, rng.count)
        await self.write(tail)
        return writer

    async def _send_large(
        self, request: BaseRequest, writer: PayloadWriter, fd: int, offset: int, count: int
    ) -> None:
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Connection lost")
        if self._can_sendfile(writer, transport):
            sock = plain_socket(transport)
            if sock is None:
                writer.send_headers()
            else:
                sent = self._sendfile_direct(writer, transport, sock, fd, offset, count)
                offset += sent
                count -= sent
                if count == 0:
                    return
            if await self._loop_sendfile(writer, transport, fd, offset, count):
                return
        await self._send_chunks(writer, fd, offset, count)

    def _sendfile_direct(
        self,
        writer: PayloadWriter,
        transport: asyncio.BaseTransport,
        sock: SocketLike,
        fd: int,
        offset: int,
        count: int,
    ) -> int:
        """Head, then as much of the file as the socket takes now, corked together."""
        corked = set_cork(sock, True)
        try:
            writer.send_headers()
            # uvloop's transports are not registered as asyncio.WriteTransport: ask by name.
            buffered = getattr(transport, "get_write_buffer_size", None)
            if buffered is None or buffered():
                return 0  # the head waits in the transport: the rest must queue behind it
            sent = sendfile_now(sock.fileno(), fd, offset, count)
        finally:
            if corked:
                set_cork(sock, False)
        writer.output_size += sent
        return sent

    async def _loop_sendfile(
        self,
        writer: PayloadWriter,
        transport: asyncio.BaseTransport,
        fd: int,
        offset: int,
        count: int,
    ) -> bool:
        """Send the rest with ``loop.sendfile`` (it waits for the socket); False if unable."""
        if not isinstance(transport, asyncio.WriteTransport):
            return False
        loop = asyncio.get_running_loop()
        with _file_object(fd) as fobj:
            try:
                sent = await loop.sendfile(transport, fobj, offset, count, fallback=False)
            except (NotImplementedError, RuntimeError):
                # No native sendfile here (asyncio says so with a RuntimeError, also when
                # the peer is gone: then the chunked path fails fast on the closed link).
                if transport.is_closing():
                    raise ConnectionResetError("Connection lost") from None
                return False
        writer.output_size += sent
        if sent < count:
            self.force_close()  # the file shrank under us: the length is announced
        return True

    async def _send_chunks(self, writer: PayloadWriter, fd: int, offset: int, count: int) -> None:
        loop = asyncio.get_running_loop()
        chunk_size = self._chunk_size
        while count > 0:
            chunk = await loop.run_in_executor(None, os.pread, fd, min(chunk_size, count), offset)
            if not chunk:
                # The file shrank under us: the length is already announced, so the only
                # honest ending is to close the connection after what we have.
                self.force_close()
                break
            await self.write(chunk)
            offset += len(chunk)
            count -= len(chunk)

    def _can_sendfile(self, writer: PayloadWriter, transport: asyncio.BaseTransport) -> bool:
        """Zero-copy only on a plain socket with the body sent as is."""
        if NOSENDFILE or writer.compression is not None or writer.chunked:
            return False
        if transport.get_extra_info("sslcontext") is not None:
            return False
        return transport.get_extra_info("socket") is not None
