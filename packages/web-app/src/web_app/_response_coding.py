"""``ResponseCoding``: content-coding negotiation of a response (gzip, deflate, br, zstd).

``enable_compression`` only records the wish; at ``prepare`` the coding is chosen from the
request's Accept-Encoding (or forced), ``Vary`` is completed, and the connection's writer is
told to encode. A base of ``StreamResponse`` (``_stream_response.py``), between the open head
(``ResponseHead``) and the state machine that sends it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from web_http import choose_encoding

from ._response_head import (
    _ACCEPT_ENCODING,
    _CONTENT_ENCODING,
    _CONTENT_LENGTH,
    _VARY,
    ResponseHead,
)

if TYPE_CHECKING:
    from ._base_request import BaseRequest
    from ._writer import PayloadWriter

__all__ = ("ContentCoding", "ResponseCoding")


class ContentCoding(enum.Enum):
    """Content codings the server can apply (``enable_compression(force=...)``).

    ``br`` works only when the optional ``brotli`` package is installed, ``zstd`` on
    Python 3.14+ or with ``backports.zstd`` (the ``zstd`` extra).
    """

    deflate = "deflate"
    gzip = "gzip"
    br = "br"
    zstd = "zstd"
    identity = "identity"


def _offered_codings() -> tuple[str, ...]:
    """Codings we negotiate, in preference order among equal q-values."""
    from ._compression import BROTLI_AVAILABLE

    # aiohttp's order (deflate before gzip); br, which aiohttp does not offer, comes last so
    # it is used only when the client prefers it by q-value or accepts nothing else.
    return ("deflate", "gzip", "br") if BROTLI_AVAILABLE else ("deflate", "gzip")


class ResponseCoding(ResponseHead):
    """Compression settings and their negotiation at ``prepare`` (a base of ``StreamResponse``)."""

    _compression = False
    _compression_force: ContentCoding | None = None
    _compression_strategy: int | None = None
    _compression_level: int | None = None
    _compression_sync = False
    # Sending state (``StreamResponse`` sets the default): the writer to tell.
    _payload_writer: PayloadWriter | None

    @property
    def compression(self) -> bool:
        return self._compression

    def enable_compression(
        self,
        force: bool | ContentCoding | None = None,
        strategy: int | None = None,
        *,
        level: int | None = None,
        sync_flush: bool = False,
    ) -> None:
        """Compress the body: negotiated from Accept-Encoding, or ``force`` d to a coding.

        Beyond aiohttp: ``level`` sets the codec's level (zlib 0-9, brotli 0-11, zstd),
        and ``sync_flush=True`` makes every ``write()`` of a streamed body leave fully
        decodable (a flush per write: the client sees each piece at once, for a small
        cost in ratio). ``ContentCoding.zstd`` needs Python 3.14+ or ``backports.zstd``.
        """
        self._check_open("enable compression")
        if isinstance(force, bool):
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif force is not None and not isinstance(force, ContentCoding):
            raise TypeError(f"force must be None, a bool or a ContentCoding, not {force!r}")
        if force is ContentCoding.br and "br" not in _offered_codings():
            raise RuntimeError("br compression needs the 'brotli' package (web-app[brotli])")
        if force is ContentCoding.zstd:
            from ._compression import ZSTD_AVAILABLE

            if not ZSTD_AVAILABLE:
                raise RuntimeError("zstd compression needs Python 3.14+ or web-app[zstd]")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy
        if level is not None:
            self._compression_level = level
        if sync_flush:
            self._compression_sync = True

    def _negotiated_coding(self, request: BaseRequest) -> ContentCoding | None:
        force = self._compression_force
        if force is not None:
            return None if force is ContentCoding.identity else force
        if not self._has_content():
            return None  # nothing to encode, and nothing that varies with Accept-Encoding
        accept = request.headers.get(_ACCEPT_ENCODING)
        vary = self._headers.get(_VARY)
        if vary is None:
            self._headers[_VARY] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower() and vary.strip() != "*":
            self._headers[_VARY] = f"{vary}, Accept-Encoding"
        if not accept:
            return None
        chosen = choose_encoding(accept, _offered_codings())
        return None if chosen is None else ContentCoding(chosen)

    def _has_content(self) -> bool:
        """Whether this answer can carry content to encode (a HEAD answer describes some)."""
        status = self._status
        return status != 204 and not 100 <= status < 200

    async def _start_compression(self, request: BaseRequest) -> None:
        if _CONTENT_ENCODING in self._headers:
            return  # already encoded by the handler: never encode twice
        coding = self._negotiated_coding(request)
        if coding is not None:
            await self._do_start_compression(coding)

    async def _do_start_compression(self, coding: ContentCoding) -> None:
        writer = self._payload_writer
        if writer is None:  # pragma: no cover - only called from _start
            raise RuntimeError("compression starts at prepare()")
        self._headers[_CONTENT_ENCODING] = coding.value
        if self._compression_level is None and not self._compression_sync:
            # aiohttp's writer signature: custom writers (tests' fakes) need no extras.
            writer.enable_compression(coding.value, self._compression_strategy)
        else:
            writer.enable_compression(
                coding.value,
                self._compression_strategy,
                level=self._compression_level,
                sync_flush=self._compression_sync,
            )
        # The compressed length is unknown until the end: frame with chunks instead.
        self._headers.popall(_CONTENT_LENGTH, None)
