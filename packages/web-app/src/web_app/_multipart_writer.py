"""``MultipartWriter``: a ``multipart/*`` body built from parts (aiohttp's API).

A writer is itself a :class:`~web_app.payload.Payload`, so it can be a response body
(``web.Response(body=writer)``), a part of another writer, or serialized with
``await writer.as_bytes()`` and ``writer.content_type``. Parts stream when written: a file
part is read in chunks, never whole.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from multidict import CIMultiDict

from .payload import (
    BytesPayload,
    JsonPayload,
    LookupError as PayloadLookupError,
    Payload,
    PayloadWriterLike,
    StringPayload,
    get_payload,
)

__all__ = ("MultipartWriter",)

_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_QDTEXT_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_Part = tuple[Payload, str | None, str | None]
#: Payload types whose ``write`` is one write of their bytes (subclasses may write more).
_IN_MEMORY = frozenset((BytesPayload, StringPayload))


class _EncodingWriter:
    """Applies a part's Content-Encoding, then its Content-Transfer-Encoding, as it streams."""

    def __init__(self, writer: PayloadWriterLike, coding: str | None, cte: str | None) -> None:
        self._writer = writer
        self._cte = cte
        self._pending = b""
        self._zlib: Any = None
        if coding is not None:
            wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else -zlib.MAX_WBITS
            self._zlib = zlib.compressobj(wbits=wbits)

    async def write(self, data: bytes | bytearray | memoryview, /) -> None:
        chunk = bytes(data)
        if self._zlib is not None:
            chunk = self._zlib.compress(chunk)
        await self._encode(chunk, final=False)

    async def write_eof(self) -> None:
        tail = self._zlib.flush() if self._zlib is not None else b""
        await self._encode(tail, final=True)

    async def _encode(self, chunk: bytes, *, final: bool) -> None:
        if self._cte == "base64":
            data = self._pending + chunk
            cut = len(data) if final else len(data) - len(data) % 57  # 57 bytes: one line
            self._pending = data[cut:]
            chunk = base64.encodebytes(data[:cut]) if cut else b""
        elif self._cte == "quoted-printable":
            data = self._pending + chunk
            cut = len(data) if final else data.rfind(b"\n") + 1
            self._pending = data[cut:]
            chunk = binascii.b2a_qp(data[:cut])
        if chunk:
            await self._writer.write(chunk)


class MultipartWriter(Payload):
    """A multipart body; ``subtype="form-data"`` for an HTML form."""

    _autoclose = True

    def __init__(self, subtype: str = "mixed", boundary: str | None = None) -> None:
        if boundary is None:
            boundary = value = os.urandom(16).hex()  # 32 hex digits: always a token
        elif not boundary.isascii():
            raise ValueError("boundary should contain ASCII only chars")
        elif _TOKEN_RE.match(boundary):
            value = boundary
        elif _BAD_QDTEXT_RE.search(boundary):
            raise ValueError("boundary value contains invalid characters")
        else:
            value = '"' + boundary.replace("\\", "\\\\").replace('"', '\\"') + '"'
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={value}")
        self._boundary = boundary.encode("ascii")
        self._parts: list[_Part] = []
        self._is_form_data = subtype == "form-data"

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None

    def __iter__(self) -> Iterator[_Part]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    @property
    def boundary(self) -> str:
        return self._boundary.decode("ascii")

    @property
    def consumed(self) -> bool:
        return self._consumed or any(part.consumed for part, _, _ in self._parts)

    def append(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        """Add a part: a Payload, or anything the payload registry can wrap."""
        if isinstance(obj, Payload):
            if headers:
                obj.headers.update(headers)
            return self.append_payload(obj)
        try:
            payload = get_payload(obj, headers=headers)
        except PayloadLookupError:
            raise TypeError(f"Cannot create payload from {obj!r}") from None
        return self.append_payload(payload)

    def append_payload(self, payload: Payload) -> Payload:
        """Add a ready payload as the next part."""
        headers = payload.headers
        coding: str | None = None
        cte: str | None = None
        if self._is_form_data:
            # RFC 7578 4.7/4.8: form parts carry no encodings and no length.
            for name in ("Content-Encoding", "Content-Length", "Content-Transfer-Encoding"):
                if name in headers:
                    raise ValueError(f"A multipart/form-data part cannot have {name}")
            if "Content-Disposition" not in headers:
                payload.set_content_disposition("form-data", name=f"section-{len(self._parts)}")
        else:
            coding = headers.get("Content-Encoding", "").lower() or None
            if coding == "identity":
                coding = None
            if coding not in (None, "gzip", "deflate"):
                raise RuntimeError(f"unknown content encoding: {coding}")
            cte = headers.get("Content-Transfer-Encoding", "").lower() or None
            if cte == "binary":
                cte = None
            if cte not in (None, "base64", "quoted-printable"):
                raise RuntimeError(f"unknown content transfer encoding: {cte}")
            size = payload.size
            if size is not None and coding is None and cte is None:
                headers["Content-Length"] = str(size)
        self._parts.append((payload, coding, cte))
        return payload

    def append_json(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        """Add ``obj`` as an ``application/json`` part."""
        return self.append_payload(JsonPayload(obj, headers=CIMultiDict(headers or {})))

    def append_form(
        self,
        obj: Sequence[tuple[str, str]] | Mapping[str, str],
        headers: Mapping[str, str] | None = None,
    ) -> Payload:
        """Add ``obj`` as an ``application/x-www-form-urlencoded`` part."""
        if not isinstance(obj, (Sequence, Mapping)):
            raise TypeError(f"append_form takes a mapping or pairs, not {obj!r}")
        pairs = list(obj.items()) if isinstance(obj, Mapping) else list(obj)
        return self.append_payload(
            StringPayload(
                urlencode(pairs, doseq=True),
                headers=CIMultiDict(headers or {}),
                content_type="application/x-www-form-urlencoded",
            )
        )

    @property
    def size(self) -> int | None:
        """The exact body length, or None when a part's is unknown or it is encoded."""
        total = 0
        delimiter = len(self._boundary) + 4  # "--" boundary CRLF
        for part, coding, cte in self._parts:
            part_size = part.size
            if coding or cte or part_size is None:
                return None
            total += delimiter + len(part._binary_headers) + part_size + 2
        return total + len(self._boundary) + 6  # "--" boundary "--" CRLF

    async def write(self, writer: PayloadWriterLike, close_boundary: bool = True) -> None:
        """Write every part, then (unless told not to) the closing delimiter."""
        for part, coding, cte in self._parts:
            head = b"--" + self._boundary + b"\r\n" + part._binary_headers
            if type(part) in _IN_MEMORY and not (coding or cte):
                # Bytes or text already in memory: the whole part in one write.
                await writer.write(head + bytes(part._value) + b"\r\n")
                continue
            await writer.write(head)
            if coding or cte:
                encoder = _EncodingWriter(writer, coding, cte)
                await part.write(encoder)
                await encoder.write_eof()
            else:
                await part.write(writer)
            await writer.write(b"\r\n")
        if close_boundary:
            await writer.write(b"--" + self._boundary + b"--\r\n")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body (file parts read off the event loop)."""
        collected = _Collect()
        await self.write(collected)
        return bytes(collected.data)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text (blocking for file parts: prefer ``as_bytes``)."""
        pieces = []
        for part, _, _ in self._parts:
            pieces.append(f"--{self.boundary}\r\n")
            pieces.append(part._binary_headers.decode(encoding, errors))
            pieces.append(part.decode(encoding, errors))
            pieces.append("\r\n")
        pieces.append(f"--{self.boundary}--\r\n")
        return "".join(pieces)

    async def close(self) -> None:
        """Close every part that holds a resource (an open file)."""
        if self._consumed:
            return
        self._consumed = True
        for part, _, _ in self._parts:
            if not part.autoclose:
                await part.close()


class _Collect:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, data: bytes | bytearray | memoryview, /) -> None:
        self.data += data
