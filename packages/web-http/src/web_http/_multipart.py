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
import codecs
import json
import re
import sys
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Protocol

from multidict import CIMultiDict, CIMultiDictProxy

from ._content_disposition import content_disposition_filename, parse_content_disposition
from ._content_type import parse_content_type
from ._errors import BadHttpMessage, PayloadTooLarge
from ._formdata import parse_urlencoded

__all__ = (
    "BodyPartReader",
    "MultipartError",
    "MultipartReader",
    "ReadableContent",
)

_READ_SIZE = 2**16
_B64_SPACE_RE = re.compile(rb"[ \t\r\n]+")
_TOKEN_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# bchars from RFC 2046 5.1.1: 1 to 70 of them, not ending with a space.
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")


class MultipartError(BadHttpMessage, ValueError):
    """A malformed or over-limit multipart body (answered with 400).

    Also a ``ValueError``, as the errors of aiohttp's multipart reader are.
    """


def _too_large(limit: int) -> Exception:
    return PayloadTooLarge(f"Multipart part larger than {limit} bytes", limit)


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


#: Part header names as clients write them: known tokens, no check or decoding needed.
_COMMON_NAMES = {
    name.encode("ascii"): name
    for name in ("Content-Disposition", "Content-Type", "Content-Transfer-Encoding")
}


def _parse_part_headers(lines: list[bytes]) -> CIMultiDictProxy[str]:
    pairs: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.partition(b":")
        text_name = _COMMON_NAMES.get(name)
        if text_name is None or not sep:
            if not sep or _TOKEN_RE.match(name) is None:
                raise MultipartError(f"Invalid multipart part header line {line[:100]!r}")
            text_name = name.decode("ascii")
        raw = value.strip(b" \t")
        if b"\r" in raw or b"\x00" in raw:
            raise MultipartError("Invalid character in a multipart part header value")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        pairs.append((text_name, text))
    return CIMultiDictProxy(CIMultiDict(pairs))


def _as_proxy(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    if isinstance(headers, CIMultiDictProxy):
        return headers
    if isinstance(headers, CIMultiDict):
        return CIMultiDictProxy(headers)
    return CIMultiDictProxy(CIMultiDict(headers))


class _Limits:
    __slots__ = (
        "client_max_size",
        "max_field_size",
        "max_headers",
        "max_nesting",
        "max_parts",
        "max_size_error_cls",
        "parts",
    )

    def __init__(
        self,
        max_parts: int,
        max_field_size: int,
        max_headers: int,
        nesting: int,
        client_max_size: int,
        max_size_error_cls: Callable[[int], Exception],
    ) -> None:
        self.max_parts = max_parts
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self.max_nesting = nesting
        self.client_max_size = client_max_size
        self.max_size_error_cls = max_size_error_cls
        self.parts = 0


class _PartDecoder:
    """Incremental Content-Transfer-Encoding and Content-Encoding decoding of one part."""

    __slots__ = ("_coding", "_cte", "_max", "_out", "_pending", "_zlib")

    def __init__(self, cte: str, coding: str, max_size: int) -> None:
        if cte not in ("", "binary", "8bit", "7bit", "base64", "quoted-printable"):
            raise MultipartError(f"Unknown Content-Transfer-Encoding {cte!r}")
        if coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise MultipartError(f"Unsupported multipart Content-Encoding {coding!r}")
        self._cte = cte
        self._coding = "" if coding == "identity" else coding
        self._max = max_size
        self._out = 0
        self._pending = b""
        self._zlib: Any = None

    def feed(self, data: bytes) -> bytes:
        return self._inflate(self._untransfer(data, final=False))

    def flush(self) -> bytes:
        data = self._inflate(self._untransfer(b"", final=True))
        if self._zlib is not None:
            try:
                data += self._zlib.flush()
            except zlib.error:
                raise MultipartError(f"Invalid {self._coding} data in a multipart part") from None
        return data

    def _untransfer(self, data: bytes, *, final: bool) -> bytes:
        cte = self._cte
        if cte == "base64":
            data = self._pending + _B64_SPACE_RE.sub(b"", data)
            cut = len(data) if final else len(data) - len(data) % 4
            self._pending = data[cut:]
            try:
                return base64.b64decode(data[:cut], validate=True)
            except binascii.Error:
                raise MultipartError("Invalid base64 in a multipart part") from None
        if cte == "quoted-printable":
            data = self._pending + data
            # A soft line break or an escape may straddle reads: decode whole lines only.
            cut = len(data) if final else data.rfind(b"\n") + 1
            self._pending = data[cut:]
            return binascii.a2b_qp(data[:cut])
        return data

    def _inflate(self, data: bytes) -> bytes:
        if not self._coding or not data:
            return data
        if self._zlib is None:
            if self._coding == "deflate":
                wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
            else:
                wbits = 16 + zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(wbits=wbits)
        try:
            out: bytes = self._zlib.decompress(data, self._max - self._out + 1)
        except zlib.error:
            raise MultipartError(f"Invalid {self._coding} data in a multipart part") from None
        self._out += len(out)
        if self._out > self._max or self._zlib.unconsumed_tail:
            raise MultipartError("Decompressed multipart part is too large")
        return out


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
        client_max_size: int = sys.maxsize,
        max_size_error_cls: Callable[[int], Exception] = _too_large,
    ) -> None:
        self.headers = _as_proxy(headers)
        self._client_max_size = client_max_size
        self._max_size_error_cls = max_size_error_cls
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
        """Read the whole part body (decoded per its headers when ``decode``).

        A part held in memory is bounded by ``client_max_size`` (the request's, for
        ``request.multipart()``): beyond it ``max_size_error_cls(client_max_size)`` is
        raised, a 413. ``read_chunk`` streams without that bound.
        """
        if self._at_eof:
            return b""
        limit = self._client_max_size
        data = bytearray()
        while not self._at_eof:
            data += await self.read_chunk(_READ_SIZE)
            if len(data) > limit:
                raise self._max_size_error_cls(limit)
        if not decode:
            return bytes(data)
        decoded = self.decode(bytes(data))
        if len(decoded) > limit:
            raise self._max_size_error_cls(limit)
        return decoded

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
        """Undo Content-Transfer-Encoding, then Content-Encoding (gzip, deflate), at once."""
        decoder = self._new_decoder()
        return decoder.feed(data) + decoder.flush()

    async def decode_iter(self, data: bytes) -> AsyncIterator[bytes]:
        """``decode(data)`` as an async iterator (aiohttp's API for decoding in pieces)."""
        yield self.decode(data)

    async def read_decoded_chunks(self, size: int = chunk_size) -> AsyncIterator[bytes]:
        """The rest of the part body, decoded as it streams in (the raw bytes stay bounded).

        Base64 and quoted-printable input split anywhere between reads decodes the same as
        the whole body would.
        """
        headers = self.headers
        if "Content-Transfer-Encoding" not in headers and "Content-Encoding" not in headers:
            while not self._at_eof:  # nothing to undo: the bytes as received
                chunk = await self.read_chunk(size)
                if chunk:
                    yield chunk
            return
        decoder = self._new_decoder()
        while True:
            chunk = await self.read_chunk(size)
            if not chunk:
                break
            out = decoder.feed(chunk)
            if out:
                yield out
        tail = decoder.flush()
        if tail:
            yield tail

    def _new_decoder(self) -> _PartDecoder:
        cte = self.headers.get("Content-Transfer-Encoding", "").strip().lower()
        coding = self.headers.get("Content-Encoding", "").strip().lower()
        return _PartDecoder(cte, coding, self._max_decompress_size)

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
        client_max_size: int = sys.maxsize,
        max_size_error_cls: Callable[[int], Exception] = _too_large,
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
            self._limits = _Limits(
                max_parts,
                max_field_size,
                max_headers,
                max_nesting,
                client_max_size,
                max_size_error_cls,
            )
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
        #: Set by a leading ``_charset_`` field (RFC 7578 4.6) for the parts after it.
        self._default_charset: str | None = None

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
        last = self._last_part
        if last is not None:
            # (A part of our own read to its end has nothing to release: no await.)
            if type(last) not in _OWN_PARTS or not last.at_eof():
                await last.release()
            self._last_part = None
        first = self._at_bof
        if first:
            self._at_bof = False
            if not await self._read_first_boundary():
                return None
        elif not self._take_boundary_line():
            await self._read_boundary()
        if self._at_eof:
            await self._finish_nested()
            return None
        self._count_part()
        lines = self._header_lines_in_buffer()
        if lines is None:
            lines = await self._read_header_lines()
        part = self._last_part = self._make_part(_parse_part_headers(lines))
        if (
            first
            and self._mimetype == "multipart/form-data"
            and isinstance(part, BodyPartReader)
            and part.name == "_charset_"
        ):
            await self._take_charset(part)
            return await self.next()
        return part

    async def _take_charset(self, part: BodyPartReader) -> None:
        """Consume a first part named ``_charset_``: the default charset of later parts."""
        raw = await part.read_chunk(64)
        if not part.at_eof() or len(raw) > 40:
            raise MultipartError("Invalid _charset_ field in a multipart form")
        try:
            charset = codecs.lookup(raw.strip().decode("ascii")).name
        except (UnicodeDecodeError, LookupError):
            raise MultipartError(f"Unknown _charset_ {raw[:40]!r} in a multipart form") from None
        self._default_charset = charset

    def _count_part(self) -> None:
        limits = self._limits
        limits.parts += 1
        if limits.parts > limits.max_parts:
            raise MultipartError(f"Too many multipart parts (more than {limits.max_parts})")

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
        limits = self._limits
        return self.part_reader_cls(
            self._boundary,
            headers,
            self._source,
            subtype=self._mimetype.partition("/")[2],
            default_charset=self._default_charset,
            client_max_size=limits.client_max_size,
            max_size_error_cls=limits.max_size_error_cls,
        )

    async def _read_first_boundary(self) -> bool:
        """Skip the preamble up to the first boundary; False for an empty top-level body."""
        # The preamble is bounded per line, and in total by the body itself.
        source = self._source
        if not source._buf:
            await source.fill()
        if self._take_boundary_line():
            return True
        limit = self._limits.max_field_size
        empty = True
        while True:
            line = await self._source.readline(max(limit, len(self._boundary) + 4))
            if not line:
                if empty and self._parent_boundary is None:
                    # No bytes at all (a form with no fields, as some clients send it).
                    self._at_eof = True
                    return False
                raise MultipartError(f"Could not find starting boundary {self._boundary!r}")
            empty = False
            if self._is_boundary_line(line):
                return True

    async def _read_boundary(self) -> None:
        line = await self._source.readline(len(self._boundary) + 256)
        if not self._is_boundary_line(line):
            raise MultipartError(
                f"Invalid multipart boundary {line[:100]!r}, expected {self._boundary!r}"
            )

    def _take_boundary_line(self) -> bool:
        """Consume a bare ``--boundary`` (or closing) line at the start of the buffer.

        The usual case, decided without a line scan; anything else (padding, a bare LF,
        a line not yet whole in the buffer) is left to the line-by-line path.
        """
        buf = self._source._buf
        boundary = self._boundary
        if not buf.startswith(boundary):
            return False
        n = len(boundary)
        if buf[n : n + 2] == b"\r\n":
            del buf[: n + 2]
            return True
        if buf[n : n + 4] == b"--\r\n":
            del buf[: n + 4]
            self._at_eof = True
            return True
        return False

    def _is_boundary_line(self, line: bytes) -> bool:
        stripped = line.rstrip(b"\r\n").rstrip(b" \t")  # transport padding (RFC 2046)
        if stripped == self._boundary:
            return True
        if stripped == self._boundary + b"--":
            self._at_eof = True
            return True
        return False

    async def _read_header_lines(self) -> list[bytes]:
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
                return lines
            if line[:1] in (b" ", b"\t"):
                raise MultipartError("Obsolete line folding in multipart part headers")
            lines.append(line)

    def _header_lines_in_buffer(self) -> list[bytes] | None:
        """The part's header lines, taken from the buffer when the whole head is there.

        Only a head of CRLF lines within every limit, with no folding, is taken: it gives
        the lines the line-by-line path would. Anything else returns None, and that path
        reads (and judges) the head itself.
        """
        buf = self._source._buf
        limits = self._limits
        end = buf.find(b"\r\n\r\n", 0, limits.max_headers)
        if end <= 0:
            return None
        block = bytes(buf[:end])
        lines = block.split(b"\r\n")
        if block.count(b"\n") != len(lines) - 1 or block.count(b"\r") != len(lines) - 1:
            return None  # a bare CR or LF: the line-by-line path splits those
        max_line = limits.max_field_size
        for line in lines:
            if not line or len(line) > max_line or line[:1] in (b" ", b"\t"):
                return None
        del buf[: end + 4]
        return lines

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


#: The part types whose ``release()`` does nothing once ``at_eof()`` (subclasses may).
_OWN_PARTS = frozenset((BodyPartReader, MultipartReader))
