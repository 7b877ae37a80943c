"""Content decoders for request (and response) bodies, bounded in memory.

Each call to a decoder hands zlib (or brotli / zstd) at most ``CHUNK_SIZE`` bytes of output
room, so a tiny compressed bomb can never materialise more than that in one step; the total
is checked against ``max_size`` after every piece, so the bomb is stopped with
``PayloadTooLarge`` (413) as soon as it crosses the bound. Corrupt data is
``ContentEncodingError`` (400).
"""

from __future__ import annotations

import importlib
import zlib
from typing import Any, Final

from ._errors import ContentEncodingError, PayloadTooLarge

__all__ = ("CHUNK_SIZE", "ContentDecoder", "make_decoder", "supported_encodings")

#: Largest piece of decoded output produced by one decompression step.
CHUNK_SIZE: Final = 64 * 1024


def _load(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# Optional codecs: brotli (or brotlicffi) for "br"; zstd from the stdlib (3.14+) or its
# backport ``backports.zstd`` (the same module for 3.10-3.13, the ``zstd`` extra), because
# their decompressor takes an output bound per call (zstandard's streaming object does not,
# so one small frame could expand to gigabytes in a single call).
_brotli: Any = _load("brotli") or _load("brotlicffi")
_zstd: Any = _load("compression.zstd") or _load("backports.zstd")


def supported_encodings() -> frozenset[str]:
    """Content codings this installation can decode."""
    names = {"gzip", "x-gzip", "deflate"}
    if _brotli is not None:
        names.add("br")
    if _zstd is not None:
        names.add("zstd")
    return frozenset(names)


class ContentDecoder:
    """Incremental decoder of one body; ``decompress`` then ``flush`` at the end."""

    __slots__ = ("_encoding", "_max_size", "_obj", "_pending", "_started", "_total")

    def __init__(self, encoding: str, max_size: int | None) -> None:
        self._encoding = encoding
        self._max_size = max_size
        self._total = 0
        self._obj: Any = None
        self._pending = b""
        self._started = False
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "br":
            self._obj = _brotli.Decompressor()
        elif encoding == "zstd":
            self._obj = _zstd.ZstdDecompressor()
        # deflate: the zlib object is made once the first two bytes show whether the
        # sender used the zlib wrapper (RFC 9110 says it must; many send raw deflate).

    def _account(self, piece: bytes, out: list[bytes]) -> None:
        if piece:
            self._total += len(piece)
            if self._max_size is not None and self._total > self._max_size:
                raise PayloadTooLarge(
                    f"Decompressed body exceeds {self._max_size} bytes", self._max_size
                )
            out.append(piece)

    def decompress(self, data: bytes) -> list[bytes]:
        """Decode a piece of body; returns the decoded pieces (each <= CHUNK_SIZE)."""
        out: list[bytes] = []
        if not data:
            return out
        self._started = True
        try:
            enc = self._encoding
            if enc == "br":
                self._brotli(data, out)
            elif enc == "zstd":
                self._zstd_step(data, out)
            else:
                if enc == "deflate" and self._obj is None:
                    data = self._pending + data
                    if len(data) < 2:
                        self._pending = data
                        return out
                    self._pending = b""
                    cmf, flg = data[0], data[1]
                    wrapped = (cmf & 0x0F) == 8 and ((cmf << 8) | flg) % 31 == 0
                    self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
                self._zlib(data, out)
        except (zlib.error, ValueError, EOFError) as exc:
            raise ContentEncodingError(
                f"Can not decode content-encoding: {self._encoding}"
            ) from exc
        except Exception as exc:
            if _brotli is not None and isinstance(exc, _brotli.error):
                raise ContentEncodingError(
                    f"Can not decode content-encoding: {self._encoding}"
                ) from exc
            if _zstd is not None and type(exc).__name__ == "ZstdError":
                raise ContentEncodingError(
                    f"Can not decode content-encoding: {self._encoding}"
                ) from exc
            raise
        return out

    def _zlib(self, data: bytes, out: list[bytes]) -> None:
        obj = self._obj
        while True:
            piece = obj.decompress(data, CHUNK_SIZE)
            self._account(piece, out)
            if obj.eof:
                rest = obj.unused_data
                if not rest:
                    return
                if self._encoding == "deflate":
                    raise ContentEncodingError("Data after the end of the deflate stream")
                # gzip allows several members one after another (RFC 1952 2.2).
                obj = self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest
                continue
            if len(piece) < CHUNK_SIZE and not obj.unconsumed_tail:
                return
            data = obj.unconsumed_tail

    def _brotli(self, data: bytes, out: list[bytes]) -> None:
        obj = self._obj
        try:
            piece = obj.process(data, output_buffer_limit=CHUNK_SIZE)
        except TypeError:  # pragma: no cover - brotli < 1.2 has no output limit
            self._account(obj.process(data), out)
            return
        self._account(piece, out)
        while not obj.can_accept_more_data():
            self._account(obj.process(b"", output_buffer_limit=CHUNK_SIZE), out)

    def _zstd_step(self, data: bytes, out: list[bytes]) -> None:
        obj = self._obj
        while True:
            piece = obj.decompress(data, CHUNK_SIZE)
            self._account(piece, out)
            if obj.eof:
                if obj.unused_data:
                    raise ContentEncodingError("Data after the end of the zstd frame")
                return
            if obj.needs_input:
                return
            data = b""

    def flush(self) -> list[bytes]:
        """End of body: the stream must be complete (a truncated stream is corrupt)."""
        out: list[bytes] = []
        if not self._started:
            return out
        obj = self._obj
        enc = self._encoding
        if obj is None:  # deflate body of a single byte
            raise ContentEncodingError(f"Can not decode content-encoding: {enc}")
        if enc == "br":
            finished = bool(obj.is_finished())
        elif enc == "zstd":
            finished = bool(getattr(obj, "eof", True))
        else:
            finished = bool(obj.eof)
        if not finished:
            raise ContentEncodingError(f"Truncated {enc} body")
        return out


def make_decoder(encoding: str | None, max_size: int | None) -> ContentDecoder | None:
    """A decoder for ``encoding``, or None when it is absent or not a coding we decode."""
    if encoding is None:
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return ContentDecoder(encoding, max_size)
    if encoding == "br":
        if _brotli is None:
            raise ContentEncodingError("Can not decode content-encoding: br (brotli missing)")
        return ContentDecoder(encoding, max_size)
    if encoding == "zstd":
        if _zstd is None:
            raise ContentEncodingError("Can not decode content-encoding: zstd (zstd missing)")
        return ContentDecoder(encoding, max_size)
    return None
