"""A streaming multipart reader (RFC 2046 5.1, RFC 7578) with aiohttp's API.

``MultipartReader(headers, content)`` walks the parts of a body read from ``content``
(a :class:`StreamReader` or anything with an async ``read(n)``); each part is a
:class:`BodyPartReader`, or a nested :class:`MultipartReader` for ``multipart/*`` parts.
Parts are streamed: only a bounded window of the body is ever buffered. Every malformed
input (bad boundary, truncated body, oversized part headers, too many parts or levels)
raises :class:`MultipartError`, a 400 ``BadHttpMessage``; nothing loops or grows without
bound.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any, Protocol

from multidict import CIMultiDict, CIMultiDictProxy

from ._content_disposition import content_disposition_filename, parse_content_disposition
from ._content_type import parse_content_type
from ._errors import BadHttpMessage
from ._formdata import parse_urlencoded

__all__ = (
    "BodyPartReader",
    "MultipartError",
    "MultipartReader",
    "ReadableContent",
)

_READ_SIZE = 2**16
_TOKEN_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# bchars from RFC 2046 5.1.1: 1 to 70 of them, not ending with a space.
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")


class MultipartError(BadHttpMessage):
    """A malformed or over-limit multipart body (answered with 400)."""


class ReadableContent(Protocol):
    """What the reader needs from the body: an async ``read(n)`` returning b"" at EOF."""

    async def read(self, n: int = -1) -> bytes: ...


class _Source:
    """The body bytes with a small look-ahead buffer that parts can hand back.

    Shared by a reader, its parts and its nested readers, so each one resumes exactly
    where the previous stopped.
    """

    __slots__ = ("_buf", "_content", "_eof")

    def __init__(self, content: ReadableContent) -> None:
        self._content = content
        self._buf = bytearray()
        self._eof = False

    async def fill(self) -> bool:
        """Read more of the body into the buffer; False at EOF."""
        if self._eof:
            return False
        data = await self._content.read(_READ_SIZE)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    def take(self, n: int) -> bytes:
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def unread(self, data: bytes) -> None:
        self._buf[0:0] = data

    async def readline(self, limit: int) -> bytes:
        """One line including its LF (the rest at EOF); longer than ``limit`` is an error."""
        start = 0
        while True:
            idx = self._buf.find(b"\n", start)
            if idx != -1:
                if idx + 1 > limit:
                    break
                return self.take(idx + 1)
            if len(self._buf) > limit:
                break
            start = len(self._buf)
            if not await self.fill():
                return self.take(len(self._buf))
        raise MultipartError(f"Multipart line too long (more than {limit} bytes)")


def _parse_part_headers(lines: list[bytes]) -> CIMultiDictProxy[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep or _TOKEN_RE.match(name) is None:
            raise MultipartError(f"Invalid multipart part header line {line[:100]!r}")
        raw = value.strip(b" \t")
        if b"\r" in raw or b"\x00" in raw:
            raise MultipartError("Invalid character in a multipart part header value")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        headers.add(name.decode("ascii"), text)
    return CIMultiDictProxy(headers)


def _as_proxy(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    if isinstance(headers, CIMultiDictProxy):
        return headers
    if isinstance(headers, CIMultiDict):
        return CIMultiDictProxy(headers)
    return CIMultiDictProxy(CIMultiDict(headers))


class _Limits:
    __slots__ = ("max_field_size", "max_headers", "max_nesting", "max_parts", "parts")

    def __init__(self, max_parts: int, max_field_size: int, max_headers: int, nesting: int) -> None:
        self.max_parts = max_parts
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self.max_nesting = nesting
        self.parts = 0


class BodyPartReader:
    """One part of a multipart body, read as a stream up to the next boundary."""

    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: Mapping[str, str],
        content: ReadableContent | _Source,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_decompress_size: int = 2**25,
    ) -> None:
        self.headers = _as_proxy(headers)
        self._boundary = boundary
        self._delimiter = b"\r\n" + boundary
        self._source = content if isinstance(content, _Source) else _Source(content)
        self._at_eof = False
        self._subtype = subtype
        self._default_charset = default_charset
        self._max_decompress_size = max_decompress_size
        self._disposition: tuple[str | None, dict[str, str]] | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} filename={self.filename!r}>"

    def __aiter__(self) -> BodyPartReader:
        return self

    async def __anext__(self) -> bytes:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    async def next(self) -> bytes | None:
        item = await self.read()
        return item or None

    def at_eof(self) -> bool:
        return self._at_eof

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Return up to ``size`` bytes of the raw part body; ``b""`` once it is over."""
        if self._at_eof:
            return b""
        if size <= 0:
            raise ValueError("size must be positive")
        source = self._source
        delim = self._delimiter
        keep = len(delim) - 1
        search_from = 0
        while True:
            buf = source._buf
            idx = buf.find(delim, search_from)
            if idx != -1:
                if idx > size:
                    return source.take(size)
                data = source.take(idx)
                del source._buf[:2]  # the CRLF belongs to the delimiter
                self._at_eof = True
                return data
            if len(buf) - keep > size:
                return source.take(size)
            search_from = max(0, len(buf) - keep)
            if not await source.fill():
                raise MultipartError("Multipart body ends before the closing boundary")

    async def read(self, *, decode: bool = False) -> bytes:
        """Read the whole part body (decoded per its headers when ``decode``)."""
        if self._at_eof:
            return b""
        data = bytearray()
        while not self._at_eof:
            data += await self.read_chunk(_READ_SIZE)
        return self.decode(bytes(data)) if decode else bytes(data)

    async def readline(self) -> bytes:
        """Read one line of the part body (with its newline, except the last line)."""
        if self._at_eof:
            return b""
        out = bytearray()
        while not self._at_eof:
            chunk = await self.read_chunk(1024)
            nl = chunk.find(b"\n")
            if nl != -1 and nl + 1 < len(chunk):
                rest = chunk[nl + 1 :]
                if self._at_eof:
                    # Put back the delimiter's CRLF too: the part is not over yet.
                    rest += b"\r\n"
                    self._at_eof = False
                self._source.unread(rest)
                chunk = chunk[: nl + 1]
            out += chunk
            if nl != -1:
                break
            if len(out) > 2**17:
                raise MultipartError("Multipart part line too long")
        return bytes(out)

    async def release(self) -> None:
        """Skip the rest of the part."""
        while not self._at_eof:
            await self.read_chunk(_READ_SIZE)

    async def text(self, *, encoding: str | None = None) -> str:
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: str | None = None) -> Any:
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset(default="utf-8")))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        data = await self.read(decode=True)
        if not data:
            return []
        return parse_urlencoded(data, encoding=encoding or self.get_charset(default="utf-8"))

    def decode(self, data: bytes) -> bytes:
        """Undo Content-Transfer-Encoding, then Content-Encoding (gzip, deflate)."""
        cte = self.headers.get("Content-Transfer-Encoding", "").strip().lower()
        if cte == "base64":
            compact = re.sub(rb"[ \t\r\n]+", b"", data)
            try:
                data = base64.b64decode(compact, validate=True)
            except binascii.Error:
                raise MultipartError("Invalid base64 in a multipart part") from None
        elif cte == "quoted-printable":
            data = binascii.a2b_qp(data)
        elif cte not in ("", "binary", "8bit", "7bit"):
            raise MultipartError(f"Unknown Content-Transfer-Encoding {cte!r}")
        coding = self.headers.get("Content-Encoding", "").strip().lower()
        if coding in ("", "identity"):
            return data
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
        else:
            raise MultipartError(f"Unsupported multipart Content-Encoding {coding!r}")
        decoder = zlib.decompressobj(wbits=wbits)
        try:
            out = decoder.decompress(data, self._max_decompress_size + 1)
        except zlib.error:
            raise MultipartError(f"Invalid {coding} data in a multipart part") from None
        if len(out) > self._max_decompress_size:
            raise MultipartError("Decompressed multipart part is too large")
        return out

    def get_charset(self, default: str) -> str:
        _, params = parse_content_type(self.headers.get("Content-Type"))
        return params.get("charset", self._default_charset or default)

    def _content_disposition(self) -> tuple[str | None, dict[str, str]]:
        if self._disposition is None:
            self._disposition = parse_content_disposition(self.headers.get("Content-Disposition"))
        return self._disposition

    @property
    def name(self) -> str | None:
        """The ``name`` of the Content-Disposition (the form field name)."""
        return content_disposition_filename(self._content_disposition()[1], "name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` (or decoded ``filename*``) of the Content-Disposition."""
        return content_disposition_filename(self._content_disposition()[1], "filename")


class MultipartReader:
    """Reads the parts of a ``multipart/*`` body one at a time."""

    part_reader_cls = BodyPartReader

    def __init__(
        self,
        headers: Mapping[str, str],
        content: ReadableContent,
        *,
        max_parts: int = 1000,
        max_field_size: int = 8190,
        max_headers: int = 32768,
        max_nesting: int = 8,
        _parent: MultipartReader | None = None,
    ) -> None:
        self.headers = _as_proxy(headers)
        mimetype, params = parse_content_type(headers.get("Content-Type"))
        if not mimetype.startswith("multipart/"):
            raise MultipartError(f"Not a multipart body: {mimetype}")
        boundary = params.get("boundary")
        if not boundary or _BOUNDARY_RE.match(boundary) is None:
            raise MultipartError(f"Invalid multipart boundary {boundary!r}")
        self._mimetype = mimetype
        self._boundary = ("--" + boundary).encode("ascii")
        if _parent is None:
            self._source = _Source(content)
            self._limits = _Limits(max_parts, max_field_size, max_headers, max_nesting)
            self._depth = 0
            self._parent_boundary: bytes | None = None
        else:
            self._source = _parent._source
            self._limits = _parent._limits
            self._depth = _parent._depth + 1
            self._parent_boundary = _parent._boundary
        self._at_eof = False
        self._at_bof = True
        self._last_part: MultipartReader | BodyPartReader | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._mimetype}>"

    def __aiter__(self) -> MultipartReader:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing boundary was read."""
        return self._at_eof

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """Return the next part (releasing the unread rest of the previous one), or None."""
        if self._at_eof:
            return None
        if self._last_part is not None:
            await self._last_part.release()
            self._last_part = None
        if self._at_bof:
            self._at_bof = False
            await self._read_first_boundary()
        else:
            await self._read_boundary()
        if self._at_eof:
            await self._finish_nested()
            return None
        limits = self._limits
        limits.parts += 1
        if limits.parts > limits.max_parts:
            raise MultipartError(f"Too many multipart parts (more than {limits.max_parts})")
        headers = await self._read_headers()
        self._last_part = self._make_part(headers)
        return self._last_part

    async def release(self) -> None:
        """Skip every remaining part."""
        while not self._at_eof:
            part = await self.next()
            if part is None:
                break
            await part.release()

    def _make_part(self, headers: CIMultiDictProxy[str]) -> MultipartReader | BodyPartReader:
        mimetype, _ = parse_content_type(headers.get("Content-Type", "text/plain"))
        if mimetype.startswith("multipart/"):
            if self._depth + 1 >= self._limits.max_nesting:
                raise MultipartError("Multipart parts nested too deeply")
            return type(self)(headers, self._source._content, _parent=self)
        return self.part_reader_cls(
            self._boundary, headers, self._source, subtype=self._mimetype.partition("/")[2]
        )

    async def _read_first_boundary(self) -> None:
        # Skip the preamble (bounded per line, and in total by the body itself).
        limit = self._limits.max_field_size
        while True:
            line = await self._source.readline(max(limit, len(self._boundary) + 4))
            if not line:
                raise MultipartError(f"Could not find starting boundary {self._boundary!r}")
            if self._is_boundary_line(line):
                return

    async def _read_boundary(self) -> None:
        line = await self._source.readline(len(self._boundary) + 256)
        if not self._is_boundary_line(line):
            raise MultipartError(
                f"Invalid multipart boundary {line[:100]!r}, expected {self._boundary!r}"
            )

    def _is_boundary_line(self, line: bytes) -> bool:
        stripped = line.rstrip(b"\r\n").rstrip(b" \t")  # transport padding (RFC 2046)
        if stripped == self._boundary:
            return True
        if stripped == self._boundary + b"--":
            self._at_eof = True
            return True
        return False

    async def _read_headers(self) -> CIMultiDictProxy[str]:
        limits = self._limits
        lines: list[bytes] = []
        total = 0
        while True:
            line = await self._source.readline(limits.max_field_size + 2)
            if not line:
                raise MultipartError("Multipart body ends inside part headers")
            total += len(line)
            if total > limits.max_headers:
                raise MultipartError("Multipart part headers too large")
            line = line.rstrip(b"\r\n")
            if not line:
                return _parse_part_headers(lines)
            if line[:1] in (b" ", b"\t"):
                raise MultipartError("Obsolete line folding in multipart part headers")
            lines.append(line)

    async def _finish_nested(self) -> None:
        """Skip a nested body's epilogue up to the parent's next boundary line."""
        parent = self._parent_boundary
        if parent is None:
            return
        while True:
            line = await self._source.readline(self._limits.max_field_size)
            if not line:
                raise MultipartError("Multipart body ends after a nested part")
            stripped = line.rstrip(b"\r\n").rstrip(b" \t")
            if stripped in (parent, parent + b"--"):
                self._source.unread(line)
                return
