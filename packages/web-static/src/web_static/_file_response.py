"""``FileResponse``: a file as the body, with validators, ranges and precompressed siblings.

All blocking work of one request (open, ``fstat``, evaluating the conditions, reading the
first piece of the body) happens in ONE executor job, :func:`_plan`; back on the loop the
head and that first piece leave in a single ``transport.write``. Files larger than the
first piece continue with ``loop.sendfile`` (zero copy) when the connection is a plain
socket, or with ``chunk_size`` reads in the executor otherwise (TLS, compression, uvloop).

Files are opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor: a
FIFO or device in a static directory is refused (403) instead of hanging a worker thread,
and the file that is checked is the file that is sent (no stat/open race).
"""

from __future__ import annotations

import asyncio
import enum
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from web_app import StreamResponse

from ._conditions import (
    ByteRange,
    RangeNotSatisfiable,
    evaluate_preconditions,
    if_range_allows,
    last_modified_seconds,
    make_etag,
    resolve_range,
)
from ._mime import PRECOMPRESSED, acceptable_codings, guess_content_type

if TYPE_CHECKING:
    from web_app import BaseRequest, PayloadWriter

__all__ = ("DEFAULT_CHUNK_SIZE", "FileResponse")

DEFAULT_CHUNK_SIZE: Final = 256 * 1024
#: The body piece read with the open/stat job and sent together with the head. Files up
#: to this size cost one executor hop and one write, with no sendfile set-up at all.
FIRST_PIECE: Final = 64 * 1024
#: aiohttp's switch, kept so deployments that needed it keep working unchanged.
NOSENDFILE: Final = bool(os.environ.get("AIOHTTP_NOSENDFILE"))

_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_SIBLING_FLAGS: Final = _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0)

_CONTENT_TYPE: Final = "Content-Type"
_CONTENT_ENCODING: Final = "Content-Encoding"
_CONTENT_RANGE: Final = "Content-Range"
_ACCEPT_RANGES: Final = "Accept-Ranges"
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
    """The request facts the executor job needs, copied out of the headers on the loop."""

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
    """What the executor job found: the outcome, the validators and the open file."""

    outcome: _Outcome
    size: int = 0
    etag: str = ""
    last_modified: int = 0
    encoding: str | None = None
    byte_range: ByteRange | None = None
    file: IO[bytes] | None = None
    first: bytes = b""


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


def _open_variant(
    path: Path, accept_encoding: str | None
) -> tuple[int, os.stat_result, str | None]:
    """Open the best precompressed sibling the client accepts, else the file itself.

    Siblings must be regular files and not symlinks (``O_NOFOLLOW``), as aiohttp requires,
    so a stray link next to a static file cannot widen what is served.
    """
    if accept_encoding:
        for coding in acceptable_codings(accept_encoding.lower()):
            suffix = dict(PRECOMPRESSED)[coding]
            try:
                fd, st = _open_regular(str(path) + suffix, _SIBLING_FLAGS)
            except (OSError, ValueError):
                continue
            return fd, st, coding
    fd, st = _open_regular(str(path), _OPEN_FLAGS)
    return fd, st, None


def _plan(path: Path, cond: _Conditions, first_limit: int) -> _Plan:
    """The whole blocking part of a file response (runs in the executor)."""
    try:
        fd, st, encoding = _open_variant(path, cond.accept_encoding)
    except IsADirectoryError:
        return _Plan(_Outcome.FORBIDDEN)
    except PermissionError:
        return _Plan(_Outcome.FORBIDDEN)
    except (OSError, ValueError):
        # Missing, a path through a non-directory, too long, a NUL byte, a symlink loop.
        return _Plan(_Outcome.NOT_FOUND)
    size = st.st_size
    etag = make_etag(st.st_mtime_ns, size)
    last_modified = last_modified_seconds(st.st_mtime)
    plan = _Plan(_Outcome.SEND, size, etag, last_modified, encoding)
    keep_open = False
    try:
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
        if cond.method in ("GET", "HEAD") and if_range_allows(cond.if_range, etag, last_modified):
            try:
                plan.byte_range = resolve_range(cond.range, size)
            except RangeNotSatisfiable:
                plan.outcome = _Outcome.NOT_SATISFIABLE
                return plan
        start, count = _span(plan)
        if count == 0 or cond.method == "HEAD":
            return plan
        fobj = os.fdopen(fd, "rb")
        keep_open = True
        plan.file = fobj
        if start:
            fobj.seek(start)
        plan.first = fobj.read(min(count, first_limit))
        return plan
    finally:
        if not keep_open:
            os.close(fd)


def _span(plan: _Plan) -> tuple[int, int]:
    rng = plan.byte_range
    return (0, plan.size) if rng is None else (rng.start, rng.count)


def _read_at(fobj: IO[bytes], offset: int, size: int) -> bytes:
    fobj.seek(offset)
    return fobj.read(size)


class FileResponse(StreamResponse):
    """Send the file at ``path`` (``str`` or ``pathlib.Path``) as the response body.

    Missing files answer 404 and directories or unreadable files 403 (with no body), so
    a handler can return ``FileResponse(path)`` without checking first. ``status`` is
    used for a full 200-style answer; ranges turn it into 206, validators into 304/412.
    Headers given here (``Content-Type`` included) win over the guessed ones.
    """

    #: The first body piece follows at once: let the head wait and share its write.
    _send_headers_immediately = False

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
        self._path = Path(path)
        self._chunk_size = chunk_size

    @property
    def path(self) -> Path:
        return self._path

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        if self.prepared:
            return await super().prepare(request)
        loop = asyncio.get_running_loop()
        cond = _Conditions.of(request)
        first_limit = min(FIRST_PIECE, self._chunk_size)
        plan = await loop.run_in_executor(None, _plan, self._path, cond, first_limit)
        try:
            return await self._answer(request, plan)
        finally:
            if plan.file is not None:
                plan.file.close()

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
        self.etag = plan.etag
        self.last_modified = plan.last_modified
        if plan.encoding is not None:
            self._vary_on_accept_encoding()
        if outcome is _Outcome.NOT_MODIFIED:
            self.set_status(304)
            return await super().prepare(request)
        return await self._send(request, plan)

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
        headers = self.headers
        rng = plan.byte_range
        if rng is not None:
            self.set_status(206)
            headers[_CONTENT_RANGE] = rng.content_range
        if _CONTENT_TYPE not in headers:
            self.content_type = guess_content_type(self._path.name)
        if plan.encoding is not None:
            headers[_CONTENT_ENCODING] = plan.encoding
        headers[_ACCEPT_RANGES] = "bytes"
        start, count = _span(plan)
        self.content_length = count
        compress = self.compression and plan.encoding is None
        if not compress:
            # We frame the body ourselves (exact Content-Length, sendfile bytes included).
            self._length_check = False
        writer = await super().prepare(request)
        fobj = plan.file
        if writer is None or fobj is None:
            return writer  # HEAD, an empty file, or a body that must be empty
        first = plan.first
        await self.write(first)
        sent = len(first)
        if sent < count:
            await self._send_rest(request, writer, fobj, start + sent, count - sent)
        return writer

    async def _send_rest(
        self, request: BaseRequest, writer: PayloadWriter, fobj: IO[bytes], offset: int, count: int
    ) -> None:
        loop = asyncio.get_running_loop()
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Connection lost")
        if self._can_sendfile(writer, transport):
            try:
                sent = await loop.sendfile(transport, fobj, offset, count)
            except NotImplementedError:
                pass
            else:
                writer.output_size += sent
                return
        chunk_size = self._chunk_size
        while count > 0:
            chunk = await loop.run_in_executor(None, _read_at, fobj, offset, min(chunk_size, count))
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
