"""Streaming response compressors (gzip, deflate and, when installed, brotli).

One ``Compressor`` lives for one response body: ``compress`` may return ``b""`` while the
codec buffers input, ``flush`` ends the stream and returns everything still pending.
Both codecs are created through one small class so the writer needs a single code path.
"""

from __future__ import annotations

import zlib
from typing import Any

__all__ = ("BROTLI_AVAILABLE", "Compressor", "SUPPORTED_ENCODINGS")

try:
    import brotli as _brotli
except ImportError:  # pragma: no cover - brotli is an optional extra
    _brotli = None

BROTLI_AVAILABLE: bool = _brotli is not None

#: Brotli's own default quality (11) is meant for static assets and is far too slow on the
#: fly; 4 is what common servers use for dynamic responses.
_DEFAULT_BROTLI_QUALITY = 4

SUPPORTED_ENCODINGS: frozenset[str] = frozenset(
    ("gzip", "deflate", "br") if BROTLI_AVAILABLE else ("gzip", "deflate")
)


class Compressor:
    """Compress one body incrementally with the named content coding.

    ``encoding`` is "gzip", "deflate" (zlib wrapper, as browsers and aiohttp expect) or "br".
    ``level`` is the zlib level (0-9) or the brotli quality (0-11); ``strategy`` a zlib
    strategy constant (ignored for brotli).
    """

    __slots__ = ("_br", "_encoding", "_finished", "_zlib")

    def __init__(
        self, encoding: str, *, level: int | None = None, strategy: int | None = None
    ) -> None:
        self._encoding = encoding
        self._finished = False
        self._zlib: Any = None
        self._br: Any = None
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
        else:
            raise ValueError(f"unsupported content coding: {encoding!r}")

    @property
    def encoding(self) -> str:
        return self._encoding

    def compress(self, data: bytes | bytearray | memoryview) -> bytes:
        """Feed ``data``; return whatever compressed output is ready (maybe ``b""``)."""
        if self._finished:
            raise RuntimeError("compressor already flushed")
        if self._zlib is not None:
            out: bytes = self._zlib.compress(data)
            return out
        out = self._br.process(bytes(data))
        return out

    def flush(self) -> bytes:
        """End the stream: return the remaining output including the codec's trailer."""
        if self._finished:
            return b""
        self._finished = True
        if self._zlib is not None:
            out: bytes = self._zlib.flush(zlib.Z_FINISH)
            return out
        out = self._br.finish()
        return out
