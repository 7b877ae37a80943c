"""``compression_middleware``: app-wide response compression, negotiated per request.

aiohttp only compresses responses whose handler calls ``enable_compression()``. This
middleware decides for every response instead, at the moment it is prepared (through
``BaseRequest.add_prepare_callback``), so it covers a ``Response`` returned by the handler
and a ``StreamResponse`` the handler prepares and streams itself alike. A response is left
alone when compressing it would be wrong or useless: it is already encoded, it is a range
(206 or ``Content-Range``), it has no body (1xx, 204, 304), it says ``Cache-Control:
no-transform``, its type is not in the allow list, or its known size is below the minimum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from web_http import choose_encoding, hdrs

from ._app import Handler, Middleware
from ._compression import SUPPORTED_ENCODINGS
from ._middlewares import middleware
from ._response import Response
from ._response_coding import ContentCoding
from .payload import Payload

if TYPE_CHECKING:
    from ._app import Request
    from ._base_request import BaseRequest
    from ._stream_response import StreamResponse

__all__ = ("DEFAULT_COMPRESSIBLE_TYPES", "compression_middleware")

#: Media types worth compressing; ``*`` ends a prefix (``text/*``). Images, audio, video,
#: archives and fonts are compressed already.
DEFAULT_COMPRESSIBLE_TYPES: Final = (
    "text/*",
    "application/json",
    "application/*+json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/*+xml",
    "application/x-ndjson",
    "application/graphql-response+json",
    "application/wasm",
    "image/svg+xml",
    "image/x-icon",
    "font/ttf",
    "font/otf",
)

_NO_TRANSFORM: Final = re.compile(r"(?:^|[,\s])no-transform(?:$|[,\s=])", re.IGNORECASE)
_PREFERENCE: Final = ("zstd", "br", "gzip", "deflate")


def _type_matcher(patterns: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if not pattern or pattern.count("/") != 1:
            raise ValueError(f"content type pattern must look like 'type/sub', got {pattern!r}")
        parts.append(".*".join(re.escape(piece) for piece in pattern.split("*")))
    return re.compile("|".join(parts) or "(?!)")


def _add_vary(response: StreamResponse) -> None:
    headers = response.headers
    vary = headers.get(hdrs.VARY)
    if vary is None:
        headers[hdrs.VARY] = "Accept-Encoding"
    elif vary.strip() != "*" and "accept-encoding" not in vary.lower():
        headers[hdrs.VARY] = f"{vary}, Accept-Encoding"


def compression_middleware(
    *,
    codings: Iterable[str] = _PREFERENCE,
    minimum_size: int = 500,
    content_types: Iterable[str] = DEFAULT_COMPRESSIBLE_TYPES,
    levels: Mapping[str, int] | None = None,
    sync_flush: bool = True,
) -> Middleware:
    """A middleware compressing every suitable response with the best coding accepted.

    ``codings`` is the server's order of preference among codings the client rates
    equally (q-values decide first); codings this installation lacks (``br`` without
    brotli, ``zstd`` without Python 3.14 or backports.zstd) are dropped, an unknown name
    is an error. ``minimum_size`` skips bodies whose size is known and smaller;
    ``content_types`` lists the media types to compress (``text/*`` style prefixes
    allowed); ``levels`` maps a coding to its level. Streamed bodies are flushed at each
    ``write()`` unless ``sync_flush=False``. Responses that could be compressed get
    ``Vary: Accept-Encoding`` even when this client takes none of the codings.
    """
    chosen: list[str] = []
    for name in codings:
        key = name.lower()
        if key not in _PREFERENCE:
            raise ValueError(f"unknown content coding {name!r}: use {', '.join(_PREFERENCE)}")
        if key in SUPPORTED_ENCODINGS and key not in chosen:
            chosen.append(key)
    if not chosen:
        raise ValueError("none of the requested codings is available here")
    if minimum_size < 0:
        raise ValueError("minimum_size cannot be negative")
    offered = tuple(chosen)
    matcher = _type_matcher(content_types)
    level_of = {k.lower(): int(v) for k, v in (levels or {}).items()}

    def on_prepare(request: BaseRequest, response: StreamResponse) -> None:
        status = response.status
        if response.compression or status < 200 or status in (204, 206, 304):
            return
        headers = response.headers
        if hdrs.CONTENT_ENCODING in headers or hdrs.CONTENT_RANGE in headers:
            return
        cache_control = headers.get(hdrs.CACHE_CONTROL)
        if cache_control is not None and _NO_TRANSFORM.search(cache_control):
            return
        if matcher.fullmatch(response.content_type) is None:
            return
        if isinstance(response, Response) and not response.chunked:
            body = response.body
            if body is None:
                size: int | None = 0
            elif isinstance(body, Payload):
                size = body.size  # None for a stream: compressed whatever its length
            else:
                size = len(body)
        else:
            size = response.content_length
        if size is not None and size < minimum_size:
            return
        _add_vary(response)
        coding = choose_encoding(request.headers.get(hdrs.ACCEPT_ENCODING), offered)
        if coding is None:
            return
        # Ranges of the encoded body are not ranges of the file: stop advertising them.
        headers.popall(hdrs.ACCEPT_RANGES, None)
        response.enable_compression(
            ContentCoding(coding), level=level_of.get(coding), sync_flush=sync_flush
        )

    @middleware
    async def compress(request: Request, handler: Handler) -> StreamResponse:
        request.add_prepare_callback(on_prepare)
        return await handler(request)

    return compress
