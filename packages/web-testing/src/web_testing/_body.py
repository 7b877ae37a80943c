"""Request bodies: what aiohttp's client accepts as ``data=``/``json=``, encoded for the wire.

``make_body`` turns bytes, text, a form (a dict, ``(name, value)`` pairs, a ``MultiDict`` or
:class:`FormData`), a file object or an (async) iterable into a :class:`RequestBody`: its
Content-Type, its length (``None``: sent chunked) and its bytes. Files are streamed, never
read whole; anything else is refused with a ``TypeError`` naming what is accepted, so a
test can never pass while sending an object's repr.
"""

from __future__ import annotations

import io
import json as _json
import mimetypes
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from multidict import MultiDict

__all__ = ("FormData", "RequestBody", "make_body")

CHUNK = 64 * 1024
_FIELD_TYPES = (str, int, float)


class RequestBody:
    """A body to send: its bytes (``parts``, each bytes or a file), type and length."""

    __slots__ = ("_files", "_stream", "_streamed", "content_type", "length", "parts")

    def __init__(
        self,
        parts: list[bytes | _FilePart],
        content_type: str | None,
        *,
        stream: AsyncIterable[bytes] | Iterable[bytes] | None = None,
    ) -> None:
        self.parts = parts
        self.content_type = content_type
        self._stream = stream
        self._streamed = stream is not None
        self._files = [p for p in parts if isinstance(p, _FilePart)]
        if stream is not None:
            self.length: int | None = None
        else:
            sizes = [len(p) if isinstance(p, bytes) else p.size for p in parts]
            self.length = None if None in sizes else sum(s or 0 for s in sizes)

    @property
    def replayable(self) -> bool:
        """Can it be sent again (for a 307/308 redirect)?"""
        return not self._streamed and all(f.seekable for f in self._files)

    async def chunks(self) -> AsyncIterator[bytes]:
        stream = self._stream
        if stream is not None:
            self._stream = None  # a generator runs once
            if isinstance(stream, AsyncIterable):
                async for chunk in stream:
                    yield _as_bytes(chunk)
            else:
                for chunk in stream:
                    yield _as_bytes(chunk)
            return
        for part in self.parts:
            if isinstance(part, bytes):
                yield part
            else:
                for chunk in part.read_chunks():
                    yield chunk

    def close(self) -> None:
        """Close the files sent (as aiohttp's client does once a request is done)."""
        for part in self._files:
            part.file.close()


def _as_bytes(chunk: object) -> bytes:
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    raise TypeError(f"a streamed request body must yield bytes or str, got {chunk!r}")


class _FilePart:
    """A file object streamed from its current position (rewound for a resend)."""

    __slots__ = ("file", "seekable", "size", "start")

    def __init__(self, file: io.IOBase) -> None:
        if getattr(file, "closed", False):
            raise ValueError(f"cannot send a closed file: {file!r}")
        self.file = file
        self.seekable = file.seekable()
        self.start = file.tell() if self.seekable else 0
        self.size: int | None = None
        if self.seekable and not isinstance(file, io.TextIOBase):
            end = file.seek(0, os.SEEK_END)
            file.seek(self.start)
            self.size = end - self.start

    def read_chunks(self) -> Iterable[bytes]:
        file = self.file
        if self.seekable:
            file.seek(self.start)
        while True:
            chunk = file.read(CHUNK)
            if not chunk:
                return
            yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


def _file_name(file: object) -> str | None:
    name = getattr(file, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


def _guess_type(filename: str | None) -> str:
    if filename:
        guessed = mimetypes.guess_type(filename)[0]
        if guessed:
            return guessed
    return "application/octet-stream"


def _quote(value: str) -> str:
    """A form-data parameter as a quoted-string (RFC 9110 5.6.4); line breaks as browsers do."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\r", "%0D").replace("\n", "%0A")


class FormData:
    """Form fields for a request: urlencoded, or multipart once a field is a file.

    ``add_field(name, value, content_type=None, filename=None)``: ``value`` is text (numbers
    are written as text), bytes (a file named after the field unless ``filename`` says
    otherwise) or an open file (its name gives the filename and the Content-Type).
    """

    def __init__(
        self,
        fields: Any = (),
        quote_fields: bool = True,
        charset: str | None = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        self._fields: list[tuple[str, Any, str | None, str | None]] = []
        self._charset = charset
        self._quote_fields = quote_fields
        self._is_multipart = default_to_multipart
        if isinstance(fields, (Mapping, MultiDict)) or (
            isinstance(fields, tuple) and len(fields) == 2 and isinstance(fields[0], str)
        ):
            fields = [fields]
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: Any,
        *,
        content_type: str | None = None,
        filename: str | None = None,
        content_transfer_encoding: str | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a form field name must be str, got {name!r}")
        if content_type is not None and not isinstance(content_type, str):
            raise TypeError(f"content_type must be str, got {content_type!r}")
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"filename must be str, got {filename!r}")
        if content_transfer_encoding is not None:
            raise TypeError("content_transfer_encoding is deprecated in aiohttp; not supported")
        if isinstance(value, io.IOBase):
            self._is_multipart = True
            if filename is None:
                filename = _file_name(value) or name
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._is_multipart = True
            value = bytes(value)
            if filename is None:
                filename = name
        elif isinstance(value, bool) or not isinstance(value, _FIELD_TYPES):
            raise TypeError(
                f"form field {name!r}: cannot send {type(value).__name__} {value!r}; a field "
                "value is str, int, float, bytes or an open file"
            )
        else:
            value = str(value)
        if content_type is not None or filename is not None:
            self._is_multipart = True
        self._fields.append((name, value, content_type, filename))

    def add_fields(self, *fields: Any) -> None:
        """Add mappings, multidicts, ``(name, value)`` pairs, lists of those or files."""
        for field in fields:
            if isinstance(field, io.IOBase):
                self.add_field(_file_name(field) or "unknown", field)
            elif isinstance(field, (Mapping, MultiDict)):
                for name, value in field.items():
                    self.add_field(name, value)
            elif isinstance(field, list):
                self.add_fields(*field)
            elif isinstance(field, tuple) and len(field) == 2:
                self.add_field(*field)
            else:
                raise TypeError(
                    f"cannot add form fields from {field!r}: give a dict, a MultiDict, "
                    "(name, value) pairs or a file"
                )

    def __call__(self) -> RequestBody:
        """The encoded body (aiohttp's ``FormData()()`` spelling)."""
        return self._multipart() if self._is_multipart else self._urlencoded()

    def _urlencoded(self) -> RequestBody:
        charset = self._charset or "utf-8"
        body = urlencode([(n, v) for n, v, _, _ in self._fields], encoding=charset)
        content_type = "application/x-www-form-urlencoded"
        if self._charset is not None:
            content_type += f"; charset={charset}"
        return RequestBody([body.encode("ascii")], content_type)

    def _multipart(self) -> RequestBody:
        boundary = uuid.uuid4().hex
        charset = self._charset or "utf-8"
        parts: list[bytes | _FilePart] = []
        for name, value, content_type, filename in self._fields:
            disposition = f'form-data; name="{_quote(name) if self._quote_fields else name}"'
            if filename is not None:
                disposition += f'; filename="{_quote(filename)}"'
            if content_type is None:
                content_type = (
                    f"text/plain; charset={charset}"
                    if isinstance(value, str) and filename is None
                    else _guess_type(filename)
                )
            head = (
                f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Disposition: {disposition}\r\n\r\n"
            )
            parts.append(head.encode("utf-8"))
            if isinstance(value, str):
                parts.append(value.encode(charset))
            elif isinstance(value, bytes):
                parts.append(value)
            else:
                parts.append(_FilePart(value))
            parts.append(b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode("ascii"))
        return RequestBody(parts, f"multipart/form-data; boundary={boundary}")


_ACCEPTED = (
    "bytes, str, a dict or (name, value) pairs (a form), FormData, a file object opened for "
    "reading, or an (async) iterable of bytes"
)


def make_body(
    data: Any = None, json: Any = None, dumps: Callable[[Any], str] = _json.dumps
) -> RequestBody | None:
    """The body for ``data=`` or ``json=`` (never both), or ``None`` for no body."""
    if data is not None and json is not None:
        raise ValueError("data and json parameters can not be used at the same time")
    if json is not None:
        return RequestBody([dumps(json).encode("utf-8")], "application/json")
    if data is None:
        return None
    if isinstance(data, RequestBody):
        return data
    if isinstance(data, FormData):
        return data()
    if isinstance(data, (bytes, bytearray, memoryview)):
        return RequestBody([bytes(data)], "application/octet-stream")
    if isinstance(data, str):
        return RequestBody([data.encode("utf-8")], "text/plain; charset=utf-8")
    if isinstance(data, (Mapping, MultiDict, list, tuple)):
        return FormData(data)()
    if isinstance(data, io.IOBase):
        if not data.readable():
            raise TypeError(f"data= is a file not opened for reading: {data!r}")
        return RequestBody([_FilePart(data)], _guess_type(_file_name(data)))
    if isinstance(data, (AsyncIterable, Iterable)) and not isinstance(data, (set, frozenset)):
        return RequestBody([], "application/octet-stream", stream=data)
    raise TypeError(f"cannot send data of type {type(data).__name__}: data= takes {_ACCEPTED}")
