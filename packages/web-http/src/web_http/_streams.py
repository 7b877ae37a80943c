"""The asynchronous request-body stream (aiohttp's ``StreamReader`` API).

The connection protocol feeds body bytes in with :meth:`StreamReader.feed_data` as the
sans-IO parser emits them; the handler reads them out with ``read``/``readany``/... .
The reader keeps the amount of buffered data bounded: when data arrives while the buffer
is still above the high-water mark (``2 * limit``) it asks the protocol to pause reading
from the socket, and it asks it to resume once the handler has drained the buffer below the
low-water mark (``limit``). So a slow handler makes the peer wait (TCP back-pressure)
instead of making the server buffer an unbounded body: at most the high-water mark plus
two feeds are buffered. One socket read larger than the mark (asyncio reads 256 KiB) does
not pause by itself: a handler that keeps up drains it before the next read, and pausing
then resuming around every read would cost two system calls and a loop turn each time.

Only one coroutine may wait on a reader at a time, as in aiohttp: a second concurrent
waiter is a programming error and gets a ``RuntimeError``.
"""

from __future__ import annotations

import asyncio
import collections
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, Protocol, TypeVar

__all__ = (
    "EMPTY_PAYLOAD",
    "DEFAULT_LIMIT",
    "EmptyStreamReader",
    "EofStream",
    "FlowControl",
    "StreamReader",
)

#: aiohttp's default: 64 KiB low-water mark, hence 128 KiB high-water mark.
DEFAULT_LIMIT = 2**16

_T = TypeVar("_T")


class EofStream(Exception):
    """Raised by a read helper to say the stream is over; ends ``async for`` loops."""


class FlowControl(Protocol):
    """What the reader needs from the connection: a way to stop and restart reading."""

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


class _AsyncStreamIterator(Generic[_T]):
    """Calls ``read_func`` until it returns a falsy value (or raises ``EofStream``)."""

    __slots__ = ("_read_func",)

    def __init__(self, read_func: Callable[[], Awaitable[_T]]) -> None:
        self._read_func = read_func

    def __aiter__(self) -> _AsyncStreamIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        try:
            rv = await self._read_func()
        except EofStream:
            raise StopAsyncIteration from None
        if not rv:
            raise StopAsyncIteration
        return rv


class _ChunkTupleIterator:
    """Iterates ``readchunk()`` results until the final ``(b"", False)``."""

    __slots__ = ("_stream",)

    def __init__(self, stream: StreamReader) -> None:
        self._stream = stream

    def __aiter__(self) -> _ChunkTupleIterator:
        return self

    async def __anext__(self) -> tuple[bytes, bool]:
        rv = await self._stream.readchunk()
        if rv == (b"", False):
            raise StopAsyncIteration
        return rv


class StreamReader:
    """A buffered, flow-controlled byte stream fed by the protocol and read by a handler.

    ``limit`` is the low-water mark; twice it is the high-water mark (aiohttp's rule).
    ``loop`` is optional: the running loop is looked up when a reader first has to wait,
    so a reader can be built outside a coroutine.
    """

    __slots__ = (
        "_buffer",
        "_chunk_splits",
        "_eof",
        "_eof_callbacks",
        "_eof_waiter",
        "_exception",
        "_high_water",
        "_loop",
        "_low_water",
        "_offset",
        "_paused",
        "_protocol",
        "_size",
        "_total_bytes",
        "_waiter",
    )

    def __init__(
        self,
        protocol: FlowControl,
        limit: int = DEFAULT_LIMIT,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, got {limit!r}")
        self._protocol = protocol
        self._low_water = limit
        self._high_water = limit * 2
        self._loop = loop
        self._buffer: collections.deque[bytes] = collections.deque()
        # Bytes of ``_buffer[0]`` already consumed (avoids re-slicing the first chunk).
        self._offset = 0
        self._size = 0
        self._total_bytes = 0
        self._eof = False
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._eof_waiter: asyncio.Future[None] | None = None
        self._exception: BaseException | None = None
        self._eof_callbacks: list[Callable[[], None]] = []
        # Absolute stream positions (in ``total_bytes`` terms) where an HTTP chunk ended.
        self._chunk_splits: collections.deque[int] = collections.deque()

    def __repr__(self) -> str:
        info = [type(self).__name__]
        if self._size:
            info.append(f"{self._size} bytes")
        if self._eof:
            info.append("eof")
        if self._low_water != DEFAULT_LIMIT:
            info.append(f"low={self._low_water} high={self._high_water}")
        if self._waiter is not None:
            info.append(f"w={self._waiter!r}")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return "<{}>".format(" ".join(info))

    # ------------------------------------------------------------------ state

    @property
    def total_bytes(self) -> int:
        """Bytes fed so far (whether or not they were read)."""
        return self._total_bytes

    def get_read_buffer_limits(self) -> tuple[int, int]:
        return (self._low_water, self._high_water)

    def exception(self) -> BaseException | None:
        return self._exception

    def is_eof(self) -> bool:
        """True once the feeder said the body is complete (data may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """True when the body is complete and every byte of it was read."""
        return self._eof and not self._size

    # ------------------------------------------------------------------ feeder side

    def set_exception(self, exc: BaseException) -> None:
        """Fail the stream: the waiting reader and every later read raise ``exc``."""
        self._exception = exc
        self._eof_callbacks.clear()
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_exception(exc)
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            if not waiter.done():
                waiter.set_exception(exc)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the feeder reaches EOF (now, if it already did)."""
        if self._eof:
            callback()
        else:
            self._eof_callbacks.append(callback)

    def feed_eof(self) -> None:
        self._eof = True
        self._wake_waiter()
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            if not waiter.done():
                waiter.set_result(None)
        callbacks, self._eof_callbacks = self._eof_callbacks, []
        for cb in callbacks:
            cb()

    def feed_data(self, data: bytes) -> None:
        """Append body bytes; pause the transport if the buffer was already above high water.

        The check comes before the append: a reader that drained the previous feed is
        keeping up, whatever the size of this one.
        """
        if not data:
            return
        if self._eof:
            raise RuntimeError("feed_data() after feed_eof()")
        if self._size > self._high_water and not self._paused:
            self._paused = True
            self._protocol.pause_reading()
        size = len(data)
        self._buffer.append(data)
        self._size += size
        self._total_bytes += size
        self._wake_waiter()

    def end_http_chunk_boundary(self) -> None:
        """Mark the end of one HTTP chunk at the current position, for :meth:`readchunk`.

        Empty chunks (no bytes since the previous boundary) are not recorded.
        """
        last = self._chunk_splits[-1] if self._chunk_splits else -1
        if self._total_bytes == last or self._total_bytes == 0:
            return
        self._chunk_splits.append(self._total_bytes)
        self._wake_waiter()

    # ------------------------------------------------------------------ reader side

    async def wait_eof(self) -> None:
        if self._exception is not None:
            raise self._exception
        if self._eof:
            return
        if self._eof_waiter is not None:
            raise RuntimeError("wait_eof() called while another coroutine waits for EOF")
        waiter = self._get_loop().create_future()
        self._eof_waiter = waiter
        try:
            await waiter
        finally:
            self._eof_waiter = None

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (at least one unless at EOF); ``n < 0`` reads to EOF."""
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:
            # Drain as data comes (so flow control can resume the transport) into one
            # growing buffer: each block is dropped once copied, so the peak stays near the
            # body's size, and getvalue() hands the buffer over without a last copy.
            if self._eof:
                return self._read_nowait(-1)
            out = io.BytesIO()
            while not self._eof:
                if self._size:
                    out.write(self._read_nowait(-1))
                else:
                    await self._wait("read")
                if self._exception is not None:
                    raise self._exception
            if self._size:
                out.write(self._read_nowait(-1))
            return out.getvalue()
        while not self._size and not self._eof:
            await self._wait("read")
        return self._read_nowait(n)

    async def readany(self) -> bytes:
        """Return everything buffered, waiting for data if none is; ``b""`` at EOF."""
        if self._exception is not None:
            raise self._exception
        while not self._size and not self._eof:
            await self._wait("readany")
        buffer = self._buffer
        if len(buffer) == 1 and not self._offset and not self._chunk_splits:
            # One whole block buffered (a reader that keeps up): hand it over as it is.
            self._size = 0
            data = buffer.popleft()
            self._maybe_resume()
            return data
        return self._read_nowait(-1)

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(data, end_of_http_chunk)``; ``(b"", False)`` means EOF.

        When the feeder marks HTTP chunk boundaries, data is cut at them and the flag
        says a boundary was reached; otherwise whatever is buffered comes out with
        ``False``.
        """
        while True:
            if self._exception is not None:
                raise self._exception
            cursor = self._total_bytes - self._size
            while self._chunk_splits:
                pos = self._chunk_splits.popleft()
                if pos == cursor:
                    return (b"", True)
                if pos > cursor:
                    return (self._read_nowait(pos - cursor), True)
                # Other read methods consumed past this boundary: it no longer applies.
            if self._size:
                return (self._read_nowait_chunk(-1), False)
            if self._eof:
                return (b"", False)
            await self._wait("readchunk")

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes or raise ``asyncio.IncompleteReadError`` at EOF."""
        if self._exception is not None:
            raise self._exception
        if n < 0:
            raise ValueError("readexactly size can not be less than zero")
        blocks: list[bytes] = []
        while n > 0:
            block = await self.read(n)
            if not block:
                partial = b"".join(blocks)
                raise asyncio.IncompleteReadError(partial, len(partial) + n)
            blocks.append(block)
            n -= len(block)
        return b"".join(blocks)

    async def readline(self, *, max_line_length: int | None = None) -> bytes:
        """Read one line including its ``\\n`` (or the rest of the body at EOF).

        A line longer than ``max_line_length`` (default: the high-water mark) raises
        ``ValueError`` rather than buffering without bound.
        """
        return await self.readuntil(b"\n", max_size=max_line_length)

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int | None = None) -> bytes:
        """Read up to and including ``separator`` (or the rest of the body at EOF)."""
        seplen = len(separator)
        if seplen == 0:
            raise ValueError("Separator should be at least one-byte string")
        limit = max_size if max_size is not None and max_size > 0 else self._high_water
        if self._exception is not None:
            raise self._exception
        # Fast path: the separator is in the first buffered chunk.
        if self._buffer:
            head = self._buffer[0]
            idx = head.find(separator, self._offset)
            if idx != -1:
                length = idx + seplen - self._offset
                if length > limit:
                    raise ValueError(f"Line is too long (more than {limit} bytes)")
                return self._read_nowait_chunk(length)
        line = bytearray()
        scanned = 0
        while True:
            if self._exception is not None:
                raise self._exception
            if self._size:
                line += self._read_nowait(-1)
                idx = line.find(separator, max(0, scanned - seplen + 1))
                if idx != -1:
                    end = idx + seplen
                    if end > limit:
                        raise ValueError(f"Line is too long (more than {limit} bytes)")
                    if end < len(line):
                        self._push_back(bytes(line[end:]))
                        del line[end:]
                    return bytes(line)
                if len(line) > limit:
                    raise ValueError(f"Line is too long (more than {limit} bytes)")
                scanned = len(line)
            if self._eof:
                return bytes(line)
            await self._wait("readuntil")

    def read_nowait(self, n: int = -1) -> bytes:
        """Return up to ``n`` buffered bytes (all if ``n < 0``) without waiting."""
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None and not self._waiter.done():
            raise RuntimeError("Called while some coroutine is waiting for incoming data.")
        return self._read_nowait(n)

    def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Iterate over blocks of at most ``n`` bytes."""
        return _AsyncStreamIterator(lambda: self.read(n))

    def iter_any(self) -> AsyncIterator[bytes]:
        """Iterate over whatever is buffered each time data arrives."""
        return _AsyncStreamIterator(self.readany)

    def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        """Iterate over ``readchunk()`` results until EOF."""
        return _ChunkTupleIterator(self)

    def __aiter__(self) -> AsyncIterator[bytes]:
        """``async for line in reader`` iterates over lines."""
        return _AsyncStreamIterator(self.readline)

    # ------------------------------------------------------------------ internals

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop

    def _wake_waiter(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def _wait(self, func_name: str) -> None:
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        # Never leave the transport paused while someone waits for more data.
        self._maybe_resume()
        waiter = self._waiter = self._get_loop().create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def _maybe_resume(self) -> None:
        if self._paused and self._size < self._low_water:
            self._paused = False
            self._protocol.resume_reading()

    def _push_back(self, data: bytes) -> None:
        """Return already-counted bytes to the front of the buffer (readuntil's overshoot)."""
        if self._offset:
            self._buffer[0] = self._buffer[0][self._offset :]
            self._offset = 0
        self._buffer.appendleft(data)
        self._size += len(data)

    def _read_nowait_chunk(self, n: int) -> bytes:
        first = self._buffer[0]
        offset = self._offset
        available = len(first) - offset
        if n < 0 or n >= available:
            data = first[offset:] if offset else first
            self._buffer.popleft()
            self._offset = 0
        else:
            data = first[offset : offset + n]
            self._offset = offset + n
        self._size -= len(data)
        if self._chunk_splits:
            cursor = self._total_bytes - self._size
            while self._chunk_splits and self._chunk_splits[0] < cursor:
                self._chunk_splits.popleft()
        self._maybe_resume()
        return data

    def _read_nowait(self, n: int) -> bytes:
        """Read up to ``n`` buffered bytes (all for ``n < 0``), joining chunks as needed."""
        if not self._size:
            return b""
        if n < 0 or n > self._size:
            n = self._size
        buffer = self._buffer
        first = buffer[0]
        offset = self._offset
        left = n - (len(first) - offset)
        if left <= 0:
            return self._read_nowait_chunk(n)
        # Several blocks, joined with one copy (the first one's unread part as a view).
        buffer.popleft()
        chunks: list[bytes | memoryview] = [memoryview(first)[offset:] if offset else first]
        self._offset = 0
        while left:
            block = buffer[0]
            if len(block) <= left:
                chunks.append(buffer.popleft())
                left -= len(block)
            else:
                chunks.append(memoryview(block)[:left])
                self._offset = left
                left = 0
        self._size -= n
        if self._chunk_splits:
            cursor = self._total_bytes - self._size
            while self._chunk_splits and self._chunk_splits[0] < cursor:
                self._chunk_splits.popleft()
        self._maybe_resume()
        return b"".join(chunks)


class _NoFlowControl:
    __slots__ = ()

    def pause_reading(self) -> None:
        """An empty reader never buffers, so it never pauses anything."""

    def resume_reading(self) -> None:
        """See :meth:`pause_reading`."""


class EmptyStreamReader(StreamReader):
    """A reader for requests without a body: at EOF from the start, every read is empty."""

    __slots__ = ("_read_eof_chunk",)

    def __init__(self) -> None:
        super().__init__(_NoFlowControl(), DEFAULT_LIMIT)
        self._eof = True
        self._read_eof_chunk = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def set_exception(self, exc: BaseException) -> None:
        """An empty body cannot fail; the error is ignored (aiohttp does the same)."""

    def on_eof(self, callback: Callable[[], None]) -> None:
        callback()

    def feed_eof(self) -> None:
        """Already at EOF."""

    def feed_data(self, data: bytes) -> None:
        if data:
            raise RuntimeError("an EmptyStreamReader cannot be fed data")

    async def wait_eof(self) -> None:
        return

    async def read(self, n: int = -1) -> bytes:
        return b""

    async def readany(self) -> bytes:
        return b""

    async def readline(self, *, max_line_length: int | None = None) -> bytes:
        return b""

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int | None = None) -> bytes:
        return b""

    async def readchunk(self) -> tuple[bytes, bool]:
        # Like aiohttp: the first call reports EOF, later calls an empty chunk end.
        if not self._read_eof_chunk:
            self._read_eof_chunk = True
            return (b"", False)
        return (b"", True)

    async def readexactly(self, n: int) -> bytes:
        if n <= 0:
            return b""
        raise asyncio.IncompleteReadError(b"", n)

    def read_nowait(self, n: int = -1) -> bytes:
        return b""


#: The shared reader of every body-less request.
EMPTY_PAYLOAD: EmptyStreamReader = EmptyStreamReader()
