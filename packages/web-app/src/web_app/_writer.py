"""The response body writer of one connection: framing, compression, one write per burst.

``StreamResponse.prepare`` hands the serialized head to ``write_headers``; the head is kept
back until the first body bytes (or ``write_eof``) so that a head and a small body leave in a
single ``transport.write`` (one syscall, one TCP segment for typical responses). Flow control
is asyncio's own: the protocol's ``pause_writing`` flag says when to wait for the peer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ._abc import AbstractStreamWriter
from ._compression import Compressor

__all__ = ("PayloadWriter", "WriterProtocol")

_Bytes = bytes | bytearray | memoryview
_LAST_CHUNK = b"0\r\n\r\n"
#: Chunks of at least this many bytes leave as (size line, data, CRLF) in one ``writelines``
#: instead of being copied into one framed buffer (sendmsg/writev where the transport has
#: it, and an in-memory peer gets the data as it was written); smaller ones are joined.
_WRITELINES_MIN = 4096


class WriterProtocol(Protocol):
    """What the writer needs from the connection (``RequestHandler`` provides it)."""

    @property
    def transport(self) -> _TransportLike | None: ...

    @property
    def writing_paused(self) -> bool: ...

    async def wait_writable(self) -> None:
        """See ``RequestConnection.wait_writable``: ``drain()`` awaits it."""


class _TransportLike(Protocol):
    def write(self, data: bytes | bytearray | memoryview, /) -> None: ...

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview], /) -> None: ...

    def is_closing(self) -> bool: ...


def _closing() -> ConnectionResetError:
    return ConnectionResetError("Cannot write to closing transport")


class PayloadWriter:
    """Write one response (head, body, end) to the connection's transport."""

    __slots__ = (
        "_chunked",
        "_compress",
        "_eof",
        "_head",
        "_protocol",
        "buffer_size",
        "output_size",
    )

    def __init__(self, protocol: WriterProtocol) -> None:
        self._protocol = protocol
        self._head: bytes | None = None
        self._chunked = False
        self._compress: Compressor | None = None
        self._eof = False
        #: Bytes handed to the transport since the last drain.
        self.buffer_size = 0
        #: Bytes handed to the transport in total (the access log's ``%b``).
        self.output_size = 0

    @property
    def protocol(self) -> WriterProtocol:
        return self._protocol

    @property
    def transport(self) -> _TransportLike | None:
        return self._protocol.transport

    @property
    def chunked(self) -> bool:
        return self._chunked

    @property
    def compression(self) -> str | None:
        """The content coding in use, or ``None``."""
        return None if self._compress is None else self._compress.encoding

    @property
    def headers_written(self) -> bool:
        """True once ``write_headers`` was called (the head may still be buffered)."""
        return self._head is not None

    @property
    def eof(self) -> bool:
        return self._eof

    # -- for subclasses that deliver the bytes another way (web-asgi's ASGI events) ----------

    def compress(self, data: _Bytes) -> _Bytes:
        """``data`` through the content coding in use; unchanged without one."""
        compressor = self._compress
        return data if compressor is None else compressor.compress(data)

    def compress_final(self, data: _Bytes = b"") -> _Bytes:
        """The body's last bytes through the coding, the codec's tail included."""
        compressor = self._compress
        if compressor is None:
            return data
        return compressor.compress(data) + compressor.flush() if data else compressor.flush()

    def mark_eof(self) -> None:
        """Record that the response ended by a subclass's own means: ``write`` raises now."""
        self._eof = True

    def enable_chunking(self) -> None:
        self._chunked = True

    def enable_compression(
        self,
        encoding: str = "deflate",
        strategy: int | None = None,
        *,
        level: int | None = None,
        sync_flush: bool = False,
    ) -> None:
        self._compress = Compressor(encoding, level=level, strategy=strategy, sync_flush=sync_flush)

    def write_headers(self, head: bytes) -> None:
        """Keep the serialized head until the body's first bytes so both leave together."""
        if self._head is not None:
            raise RuntimeError("headers already written")
        self._head = head

    def send_headers(self) -> None:
        """Send a buffered head now (a 101 answer, or a stream whose body comes later)."""
        head = self._head
        if head:
            self._head = b""
            self._send(head)

    def send_complete(self, data: bytes) -> None:
        """Send a whole response (head and body) built by the caller, and end it."""
        if self._head is not None or self._eof:
            raise RuntimeError("headers already written")
        self._head = b""
        self._eof = True
        # _send inlined: this is the one write of nearly every response
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise _closing()
        size = len(data)
        self.buffer_size += size
        self.output_size += size
        transport.write(data)

    def _send(self, data: _Bytes) -> None:
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise _closing()
        size = len(data)
        self.buffer_size += size
        self.output_size += size
        transport.write(data)

    def _send_lines(self, line: bytes, data: _Bytes) -> None:
        """Send one chunk (its size line, perhaps after the head) without copying its data."""
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise _closing()
        size = len(line) + len(data) + 2
        self.buffer_size += size
        self.output_size += size
        transport.writelines((line, data, b"\r\n"))

    async def write(self, data: _Bytes, *, drain: bool = True) -> None:
        """Send body bytes (compressed, chunk-framed); before a head, raw bytes (``100``)."""
        if self._eof:
            raise RuntimeError("Cannot write after write_eof()")
        if self._compress is not None:
            data = self._compress.compress(data)
        if data:
            if self._chunked:
                size = len(data)
                if size >= _WRITELINES_MIN:
                    line = b"%x\r\n" % size
                    head = self._head
                    if head:
                        self._head = b""
                        line = head + line
                    self._send_lines(line, data)
                    if drain and self._protocol.writing_paused:
                        await self.drain()
                    return
                data = b"".join((b"%x\r\n" % size, data, b"\r\n"))
            head = self._head
            if head is not None:
                self._head = b""
                if head:
                    data = head + data
            self._send(data)
        if drain and self._protocol.writing_paused:
            await self.drain()

    async def write_eof(self, data: _Bytes = b"") -> None:
        """Finish the body: flush the codec, send the last chunk; head and body in one write."""
        if self._eof:
            return
        self._eof = True
        compressor = self._compress
        if compressor is not None:
            data = compressor.compress(data) + compressor.flush() if data else compressor.flush()
        if self._chunked:
            if data:
                data = b"".join((b"%x\r\n" % len(data), data, b"\r\n", _LAST_CHUNK))
            else:
                data = _LAST_CHUNK
        head = self._head
        if head:
            self._head = b""
            data = head + data if data else head
        if data:
            self._send(data)
        if self._protocol.writing_paused:
            await self.drain()

    async def drain(self) -> None:
        """Wait until the transport accepts more data (the peer read what was sent)."""
        self.buffer_size = 0
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise _closing()
        await self._protocol.wait_writable()


# isinstance(request.writer, AbstractStreamWriter) holds, as in aiohttp (see the ABC's note)
AbstractStreamWriter.register(PayloadWriter)
