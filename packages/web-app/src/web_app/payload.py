"""Response bodies beyond bytes: aiohttp's payload system.

``Response(body=...)`` hands any value that is not ``bytes``/``bytearray``/``str`` to
``PAYLOAD_REGISTRY``, which wraps it in a :class:`Payload`: an object that knows its
Content-Type (guessed from a file name where there is one), its extra headers
(Content-Disposition for files), its size when it can be known (then sent with
Content-Length, otherwise chunked) and how to write itself to the response. A user type
becomes a body by registering a factory (``@payload_type(MyType)``).

File objects are read in chunks in the default executor, so a large file neither blocks
the event loop nor is held in memory; the file is closed once sent.
"""

from __future__ import annotations

import asyncio
import enum
import io
import json
import mimetypes
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Final, Protocol, cast

from multidict import CIMultiDict, getversion
from web_http import BodyPartReader, StreamReader, content_disposition_header, parse_content_type

__all__ = (
    "PAYLOAD_REGISTRY",
    "AsyncIterablePayload",
    "BodyPartReaderPayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonBytesPayload",
    "JsonPayload",
    "LookupError",
    "Order",
    "Payload",
    "PayloadFactory",
    "PayloadRegistry",
    "PayloadWriterLike",
    "StreamReaderPayload",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
    "register_payload",
)

#: Bytes read from a file per executor job (and written per ``write``).
READ_SIZE: Final = 2**16
_SENTINEL: Any = object()
#: multidict's change counter of a multidict (typed there for MultiDict[object] only).
_headers_version = cast("Callable[[CIMultiDict[str]], int]", getversion)


class LookupError(Exception):
    """No payload factory is registered for the type of a body."""


class Order(str, enum.Enum):
    """Where a factory is tried: before the built-in types, among them, or last."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


class PayloadWriterLike(Protocol):
    """What a payload writes to: the response (its ``write`` frames and bounds the body)."""

    async def write(self, data: bytes | bytearray | memoryview, /) -> None: ...


def guess_filename(obj: Any, default: str | None = None) -> str | None:
    """The base name of a file object's ``name`` (not ``<stdin>``-style pseudo names)."""
    name = getattr(obj, "name", None)
    if isinstance(name, str) and name and not (name[0] == "<" and name[-1] == ">"):
        return Path(name).name
    return default


def _guess_type(filename: str) -> str | None:
    if sys.version_info >= (3, 13):
        return mimetypes.guess_file_type(filename)[0]
    return mimetypes.guess_type(filename)[0]


def _text_encoding(encoding: str | None, content_type: str | None) -> tuple[str, str]:
    """``(encoding, content_type)`` of a text body, each derived from the other if missing."""
    if encoding is None:
        if content_type is None:
            return "utf-8", "text/plain; charset=utf-8"
        return parse_content_type(content_type)[1].get("charset", "utf-8"), content_type
    if content_type is None:
        content_type = f"text/plain; charset={encoding}"
    return encoding, content_type


class Payload(ABC):
    """A response (or multipart part) body with its own headers.

    ``content_type`` wins; otherwise it is guessed from ``filename``; otherwise the class
    default (``application/octet-stream``). ``headers`` are merged into the response's
    headers where the response has none of that name.
    """

    _default_content_type = "application/octet-stream"
    _size: int | None = None
    _consumed = False
    _autoclose = False

    def __init__(
        self,
        value: Any,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        content_type: str | None = _SENTINEL,
        filename: str | None = None,
        encoding: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._value = value
        self._encoding = encoding
        self._filename = filename
        self._headers: CIMultiDict[str] = CIMultiDict()
        if content_type is not _SENTINEL and content_type is not None:
            ctype = content_type
        elif filename is not None:
            ctype = _guess_type(filename) or self._default_content_type
        else:
            ctype = self._default_content_type
        self._headers["Content-Type"] = ctype
        if headers:
            self._headers.update(headers)

    @property
    def size(self) -> int | None:
        """Bytes the body will take on the wire, or None when unknown (sent chunked)."""
        return self._size

    @property
    def filename(self) -> str | None:
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        return self._headers

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @property
    def content_type(self) -> str:
        return self._headers["Content-Type"]

    @property
    def consumed(self) -> bool:
        """True once the body was read and cannot be sent again."""
        return self._consumed

    @property
    def autoclose(self) -> bool:
        """True when the payload holds nothing that ``close()`` must release."""
        return self._autoclose

    #: The last ``_binary_headers`` and the version of ``_headers`` it was made from.
    _head: tuple[int, bytes] | None = None

    @property
    def _binary_headers(self) -> bytes:
        """The headers as a MIME part head (for multipart bodies), blank line included.

        A multipart body asks twice (its size, then its bytes): the head is made again only
        when the headers changed in between.
        """
        version = _headers_version(self._headers)
        head = self._head
        if head is not None and head[0] == version:
            return head[1]
        lines = [f"{name}: {value}\r\n" for name, value in self._headers.items()]
        text = "".join(lines)
        n = len(lines)
        if text.count("\n") != n or text.count("\r") != n or "\x00" in text:
            for name, value in self._headers.items():  # name the one that splits the head
                text = name + value
                if "\r" in text or "\n" in text or "\x00" in text:
                    raise ValueError(f"Newline or NUL in the {name} header of a payload")
        encoded = (text + "\r\n").encode("utf-8")
        self._head = (version, encoded)
        return encoded

    def set_content_disposition(
        self, disptype: str, quote_fields: bool = True, _charset: str = "utf-8", **params: str
    ) -> None:
        """Set the Content-Disposition header (``"attachment"``, ``filename=...``)."""
        self._headers["Content-Disposition"] = content_disposition_header(
            disptype, quote_fields, _charset, **params
        )

    @abstractmethod
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text (may block for a file: prefer ``as_bytes``)."""

    @abstractmethod
    async def write(self, writer: PayloadWriterLike) -> None:
        """Write the whole body to ``writer``."""

    async def write_with_length(
        self, writer: PayloadWriterLike, content_length: int | None
    ) -> None:
        """Write the body; the response bounds it to its Content-Length."""
        await self.write(writer)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as bytes (text bodies encoded with their own encoding)."""
        actual = self._encoding or encoding
        return self.decode(actual, errors).encode(actual)

    async def close(self) -> None:
        """Release what the payload holds (a file is closed); idempotent."""
        return None


class BytesPayload(Payload):
    """``bytes``, ``bytearray`` or ``memoryview``: sent as is, with Content-Length."""

    _autoclose = True

    def __init__(self, value: bytes | bytearray | memoryview, *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"value argument must be byte-ish, not {type(value)!r}")
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(value, *args, **kwargs)
        self._size = value.nbytes if isinstance(value, memoryview) else len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self._value).decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return bytes(self._value)

    async def write(self, writer: PayloadWriterLike) -> None:
        await writer.write(self._value)


class StringPayload(BytesPayload):
    """Text, encoded with ``encoding`` or the charset of ``content_type`` (UTF-8)."""

    def __init__(
        self,
        value: str,
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        encoding, content_type = _text_encoding(encoding, content_type)
        super().__init__(
            value.encode(encoding), *args, encoding=encoding, content_type=content_type, **kwargs
        )


class StringIOPayload(StringPayload):
    """An ``io.StringIO``: its text from the current position (it is in memory already)."""

    def __init__(self, value: IO[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class IOBasePayload(Payload):
    """A binary file object, read in executor jobs of ``READ_SIZE`` bytes.

    The file name (if any) gives the Content-Type and a ``Content-Disposition:
    attachment; filename=...``; the size is the file's size from the current position.
    """

    _start: int | None = None

    def __init__(
        self, value: IO[Any], disposition: str | None = "attachment", *args: Any, **kwargs: Any
    ) -> None:
        if "filename" not in kwargs:
            kwargs["filename"] = guess_filename(value)
        super().__init__(value, *args, **kwargs)
        if (
            self._filename is not None
            and disposition is not None
            and "Content-Disposition" not in self._headers
        ):
            self.set_content_disposition(disposition, filename=self._filename)

    @property
    def size(self) -> int | None:
        try:
            if self._start is None:
                self._start = self._value.tell()
            return os.fstat(self._value.fileno()).st_size - self._start
        except (AttributeError, OSError, ValueError):
            return None  # a pipe, a socket, a closed or in-memory file: sent chunked

    def _read(self) -> bytes:
        data: bytes = self._value.read(READ_SIZE)
        return data

    async def write(self, writer: PayloadWriterLike) -> None:
        loop = asyncio.get_running_loop()
        try:
            chunk = await loop.run_in_executor(None, self._read)
            while chunk:
                await writer.write(chunk)
                chunk = await loop.run_in_executor(None, self._read)
        finally:
            self._consumed = True

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._read_all().decode(encoding, errors)

    def _read_all(self) -> bytes:
        data: bytes = self._value.read()
        return data

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._read_all)

    async def close(self) -> None:
        if self._value.closed:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._value.close)


class TextIOPayload(IOBasePayload):
    """A text file object: read in executor jobs and encoded (UTF-8 unless told).

    Sent chunked: the size on disk is not the size once decoded, newline-translated and
    re-encoded.
    """

    def __init__(
        self,
        value: IO[str],
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        encoding, content_type = _text_encoding(encoding, content_type)
        super().__init__(value, *args, encoding=encoding, content_type=content_type, **kwargs)

    @property
    def size(self) -> int | None:
        return None

    def _read(self) -> bytes:
        text: str = self._value.read(READ_SIZE)
        return text.encode(self._encoding or "utf-8")

    def _read_all(self) -> bytes:
        text: str = self._value.read()
        return text.encode(self._encoding or "utf-8")

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        text: str = self._value.read()
        return text


class BytesIOPayload(IOBasePayload):
    """An ``io.BytesIO``: in memory, so written without executor jobs."""

    _autoclose = True

    @property
    def size(self) -> int:
        value: io.BytesIO = self._value
        if self._start is None:
            self._start = value.tell()
        return value.getbuffer().nbytes - self._start

    async def write(self, writer: PayloadWriterLike) -> None:
        value: io.BytesIO = self._value
        while chunk := value.read(READ_SIZE):
            await writer.write(chunk)
        self._consumed = True

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self._read_all()

    async def close(self) -> None:
        return None  # the caller's object: nothing held, nothing to release


class BufferedReaderPayload(IOBasePayload):
    """A file opened in binary mode (``open(path, "rb")``)."""


class JsonPayload(BytesPayload):
    """``dumps(value)`` encoded, as ``application/json``."""

    def __init__(
        self,
        value: Any,
        encoding: str = "utf-8",
        content_type: str = "application/json",
        dumps: Callable[[Any], str] = json.dumps,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            dumps(value).encode(encoding),
            *args,
            content_type=content_type,
            encoding=encoding,
            **kwargs,
        )


class JsonBytesPayload(BytesPayload):
    """``dumps(value)`` for encoders that return bytes (orjson), as ``application/json``."""

    def __init__(
        self,
        value: Any,
        dumps: Callable[[Any], bytes],
        content_type: str = "application/json",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(dumps(value), *args, content_type=content_type, **kwargs)


class AsyncIterablePayload(Payload):
    """An async iterable of bytes (an async generator): streamed, sent chunked."""

    _autoclose = True

    def __init__(self, value: AsyncIterable[bytes], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(f"value argument must be an async iterable, not {type(value)!r}")
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(value, *args, **kwargs)
        self._iter: AsyncIterator[bytes] | None = None

    def _iterator(self) -> AsyncIterator[bytes]:
        return aiter(self._value)

    async def write(self, writer: PayloadWriterLike) -> None:
        if self._consumed:
            raise RuntimeError("This async iterable body was already sent")
        self._consumed = True
        self._iter = self._iterator()
        async for chunk in self._iter:
            await writer.write(chunk)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("Unable to decode an async iterable body: use as_bytes()")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        if self._consumed:
            raise RuntimeError("This async iterable body was already sent")
        self._consumed = True
        return b"".join([bytes(chunk) async for chunk in self._iterator()])

    async def close(self) -> None:
        # An abandoned async generator (the client went away) runs its finally blocks now.
        closer = getattr(self._iter, "aclose", None)
        if closer is not None:
            await closer()


class StreamReaderPayload(AsyncIterablePayload):
    """A ``StreamReader`` (another request's body): forwarded as its bytes arrive."""

    def _iterator(self) -> AsyncIterator[bytes]:
        reader: StreamReader = self._value
        return reader.iter_any()


class BodyPartReaderPayload(Payload):
    """A part of an incoming multipart body, forwarded as it is read (decoded).

    Keeps the part's Content-Type (aiohttp sends ``application/octet-stream``) and
    describes it as ``Content-Disposition: attachment`` with its ``name`` and
    ``filename``.
    """

    def __init__(self, value: BodyPartReader, *args: Any, **kwargs: Any) -> None:
        if "content_type" not in kwargs and "Content-Type" in value.headers:
            kwargs["content_type"] = value.headers["Content-Type"]
        super().__init__(value, *args, **kwargs)
        params: dict[str, str] = {}
        if value.name is not None:
            params["name"] = value.name
        if value.filename is not None:
            params["filename"] = value.filename
        if params:
            self.set_content_disposition("attachment", True, **params)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("Unable to decode a multipart part body: write it")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        raise TypeError("Unable to read a multipart part body as bytes: write it")

    async def write(self, writer: PayloadWriterLike) -> None:
        self._consumed = True
        part: BodyPartReader = self._value
        async for chunk in part.read_decoded_chunks(READ_SIZE):
            await writer.write(chunk)


#: A Payload class, or any callable taking the value (and Payload keyword arguments).
PayloadFactory = Callable[..., Payload]
_Entry = tuple[PayloadFactory, Any]


class PayloadRegistry:
    """Maps a body's type to the ``Payload`` factory that wraps it."""

    __slots__ = ("_exact", "_first", "_last", "_normal")

    def __init__(self) -> None:
        self._first: list[_Entry] = []
        self._normal: list[_Entry] = []
        self._last: list[_Entry] = []
        #: Exact type -> factory for the ``normal`` entries (the common lookup is one dict hit).
        self._exact: dict[type, PayloadFactory] = {}

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        """Wrap ``data`` (a Payload is returned as is); ``LookupError`` if nothing fits."""
        for factory, kind in self._first:
            if isinstance(data, kind):
                return factory(data, *args, **kwargs)
        exact = self._exact.get(type(data))
        if exact is not None:
            return exact(data, *args, **kwargs)
        if isinstance(data, Payload):
            return data
        for factory, kind in (*self._normal, *self._last):
            if isinstance(data, kind):
                return factory(data, *args, **kwargs)
        raise LookupError(f"No payload factory for {type(data)!r}")

    def register(self, factory: PayloadFactory, type: Any, *, order: Order = Order.normal) -> None:
        """Use ``factory`` for bodies that are instances of ``type`` (a type or tuple)."""
        if order is Order.try_first:
            self._first.append((factory, type))
        elif order is Order.normal:
            self._normal.append((factory, type))
            for kind in type if isinstance(type, tuple) else (type,):
                self._exact[kind] = factory
        elif order is Order.try_last:
            self._last.append((factory, type))
        else:
            raise ValueError(f"Unsupported order {order!r}")


PAYLOAD_REGISTRY: Final = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """``PAYLOAD_REGISTRY.get``: wrap ``data`` in the registered ``Payload``."""
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(factory: PayloadFactory, type: Any, *, order: Order = Order.normal) -> None:
    """Register ``factory`` for bodies of ``type`` in ``PAYLOAD_REGISTRY``."""
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:
    """Class decorator: ``@payload_type(MyType)`` registers the decorated Payload class."""

    def __init__(self, type: Any, *, order: Order = Order.normal) -> None:
        self.type = type
        self.order = order

    def __call__(self, factory: type[Payload]) -> type[Payload]:
        register_payload(factory, self.type, order=self.order)
        return factory


PAYLOAD_REGISTRY.register(BodyPartReaderPayload, BodyPartReader, order=Order.try_first)
PAYLOAD_REGISTRY.register(BytesPayload, (bytes, bytearray, memoryview))
PAYLOAD_REGISTRY.register(StringPayload, str)
PAYLOAD_REGISTRY.register(StringIOPayload, io.StringIO)
PAYLOAD_REGISTRY.register(TextIOPayload, io.TextIOBase)
PAYLOAD_REGISTRY.register(BytesIOPayload, io.BytesIO)
PAYLOAD_REGISTRY.register(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
PAYLOAD_REGISTRY.register(IOBasePayload, io.IOBase)
PAYLOAD_REGISTRY.register(StreamReaderPayload, StreamReader)
PAYLOAD_REGISTRY.register(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
