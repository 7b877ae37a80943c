"""Streaming response compressors (gzip, deflate and, when installed, brotli and zstd).

One ``Compressor`` lives for one response body: ``compress`` may return ``b""`` while the
codec buffers input, ``flush`` ends the stream and returns everything still pending. With
``sync_flush`` every ``compress`` call returns all of its input, decodable at once, which is
what a stream the client reads as it arrives (events, progress) needs.
zstd comes from the standard library on 3.14+ (``compression.zstd``) and from the
``backports.zstd`` package (the same module, for 3.10-3.13) otherwise.
"""

from __future__ import annotations

import importlib
import zlib
from typing import Any

__all__ = ("BROTLI_AVAILABLE", "Compressor", "SUPPORTED_ENCODINGS", "ZSTD_AVAILABLE")


def _load(*names: str) -> Any:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_brotli: Any = _load("brotli")
_zstd: Any = _load("compression.zstd", "backports.zstd")

BROTLI_AVAILABLE: bool = _brotli is not None
ZSTD_AVAILABLE: bool = _zstd is not None

#: Brotli's own default quality (11) is meant for static assets and is far too slow on the
#: fly; 4 is what common servers use for dynamic responses.
_DEFAULT_BROTLI_QUALITY = 4
#: zstd's own default level; fast and already better than gzip -6 on typical text.
_DEFAULT_ZSTD_LEVEL = 3

SUPPORTED_ENCODINGS: frozenset[str] = frozenset(
    ("gzip", "deflate")
    + (("br",) if BROTLI_AVAILABLE else ())
    + (("zstd",) if ZSTD_AVAILABLE else ())
)


class Compressor:
    """Compress one body incrementally with the named content coding.

    ``encoding`` is "gzip", "deflate" (zlib wrapper, as browsers and aiohttp expect), "br"
    or "zstd". ``level`` is the zlib level (0-9), the brotli quality (0-11) or the zstd
    level; ``strategy`` a zlib strategy constant (ignored by the others).
    """

    __slots__ = ("_br", "_encoding", "_finished", "_sync", "_zlib", "_zstd")

    def __init__(
        self,
        encoding: str,
        *,
        level: int | None = None,
        strategy: int | None = None,
        sync_flush: bool = False,
    ) -> None:
        self._encoding = encoding
        self._finished = False
        self._sync = sync_flush
        self._zlib: Any = None
        self._br: Any = None
        self._zstd: Any = None
        if encoding == "gzip" or encoding == "deflate":
            wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
            self._zlib = zlib.compressobj(
                zlib.Z_DEFAULT_COMPRESSION if level is None else level,
                zlib.DEFLATED,
                wbits,
                zlib.DEF_MEM_LEVEL,
                zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy,
            )
        elif encoding == "br":
            if _brotli is None:
                raise ValueError("brotli compression needs the 'brotli' package installed")
            quality = _DEFAULT_BROTLI_QUALITY if level is None else level
            self._br = _brotli.Compressor(quality=quality)
        elif encoding == "zstd":
            if _zstd is None:
                raise ValueError("zstd compression needs Python 3.14+ or 'backports.zstd'")
            self._zstd = _zstd.ZstdCompressor(level=_DEFAULT_ZSTD_LEVEL if level is None else level)
        else:
            raise ValueError(f"unsupported content coding: {encoding!r}")

    @property
    def encoding(self) -> str:
        return self._encoding

    def compress(self, data: bytes | bytearray | memoryview) -> bytes:
        """Feed ``data``; return whatever compressed output is ready (maybe ``b""``)."""
        if self._finished:
            raise RuntimeError("compressor already flushed")
        out: bytes
        if self._zlib is not None:
            out = self._zlib.compress(data)
            if self._sync:
                out += self._zlib.flush(zlib.Z_SYNC_FLUSH)
            return out
        if self._zstd is not None:
            obj = self._zstd
            out = obj.compress(data, obj.FLUSH_BLOCK if self._sync else obj.CONTINUE)
            return out
        out = self._br.process(bytes(data))
        if self._sync:
            out += self._br.flush()
        return out

    def flush(self) -> bytes:
        """End the stream: return the remaining output including the codec's trailer."""
        if self._finished:
            return b""
        self._finished = True
        out: bytes
        if self._zlib is not None:
            out = self._zlib.flush(zlib.Z_FINISH)
            return out
        if self._zstd is not None:
            out = self._zstd.flush(self._zstd.FLUSH_FRAME)
            return out
        out = self._br.finish()
        return out
