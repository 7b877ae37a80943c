"""permessage-deflate (RFC 7692): offer negotiation, a compressor and a bounded decompressor.

A compressed message is a raw DEFLATE stream whose final empty stored block (the four bytes
``00 00 ff ff`` a sync flush emits) is removed by the sender and put back by the receiver
(section 7.2.1). The receiver's output is capped while inflating: a few kilobytes of
hostile input that would inflate to gigabytes stop at ``max_size`` + 1 bytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from ._models import WebSocketError, WSCloseCode

__all__ = ("DeflateParams", "Deflater", "Inflater", "negotiate_deflate")

_TAIL = b"\x00\x00\xff\xff"
_EXTENSION = "permessage-deflate"


@dataclass(frozen=True, slots=True)
class DeflateParams:
    """Negotiated parameters; ``*_max_window_bits`` are LZ77 window sizes (9..15)."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = 15
    client_max_window_bits: int = 15

    def response_header(self, *, echo_client_bits: bool = False) -> str:
        """The ``Sec-WebSocket-Extensions`` value that accepts these parameters."""
        parts = [_EXTENSION]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits != 15:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if echo_client_bits:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)


def _window_bits(value: str | None) -> int | None:
    """A window size parameter value: 1*DIGIT in 8..15, maybe quoted (section 7.1.2)."""
    if value is None:
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value.isdigit() or not value.isascii() or len(value) > 2:
        raise ValueError(value)
    bits = int(value)
    if not 8 <= bits <= 15:
        raise ValueError(value)
    return bits


def _accept_offer(params: list[str]) -> tuple[DeflateParams, str] | None:
    """Accept one offer (its parameters) or decline it (None) per RFC 7692 section 7.1."""
    seen: dict[str, str | None] = {}
    for raw in params:
        name, eq, value = raw.partition("=")
        name = name.strip().lower()
        if name in seen:
            return None  # "MUST decline an offer that has duplicate parameters"
        seen[name] = value.strip() if eq else None
    server_nct = client_nct = False
    server_bits = 15
    client_bits_echo: int | None = None
    try:
        for name, param in seen.items():
            if name == "server_no_context_takeover":
                if param is not None:
                    return None
                server_nct = True
            elif name == "client_no_context_takeover":
                if param is not None:
                    return None
                client_nct = True
            elif name == "server_max_window_bits":
                bits = _window_bits(param)
                if bits is None:
                    return None
                if bits == 8:
                    # zlib cannot produce a raw stream limited to a 256-byte window.
                    return None
                server_bits = bits
            elif name == "client_max_window_bits":
                # Without a value the client merely allows us to limit it; we don't need to.
                client_bits_echo = _window_bits(param)
            else:
                return None  # unknown parameter: decline this offer
    except ValueError:
        return None
    result = DeflateParams(
        server_no_context_takeover=server_nct,
        client_no_context_takeover=client_nct,
        server_max_window_bits=server_bits,
        client_max_window_bits=15 if client_bits_echo is None else client_bits_echo,
    )
    return result, result.response_header(echo_client_bits=client_bits_echo is not None)


def negotiate_deflate(header: str) -> tuple[DeflateParams, str] | None:
    """Pick the first acceptable permessage-deflate offer of a ``Sec-WebSocket-Extensions``
    request header; return its parameters and the response header value, or None."""
    for offer in header.split(","):
        name, *params = offer.split(";")
        if name.strip().lower() != _EXTENSION:
            continue
        accepted = _accept_offer(params)
        if accepted is not None:
            return accepted
    return None


class Deflater:
    """Compress whole messages; a fresh dictionary per message with ``no_context_takeover``."""

    __slots__ = ("_compressor", "_flush_mode", "level", "window_bits")

    def __init__(
        self, *, no_context_takeover: bool = False, window_bits: int = 15, level: int = -1
    ) -> None:
        if not 9 <= window_bits <= 15:
            raise ValueError("window_bits must be in 9..15")
        self.window_bits = window_bits
        self.level = level
        # A full flush resets the dictionary: later messages cannot refer to earlier ones.
        self._flush_mode = zlib.Z_FULL_FLUSH if no_context_takeover else zlib.Z_SYNC_FLUSH
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -window_bits)

    def compress(self, data: bytes) -> bytes:
        """The payload of one compressed message (rsv1 set on its first frame)."""
        compressor = self._compressor
        out = compressor.compress(data) + compressor.flush(self._flush_mode)
        if out.endswith(_TAIL):
            out = out[:-4]
        return out or b"\x00"


def compress_once(data: bytes, window_bits: int) -> bytes:
    """Compress one message with its own window (a per-message ``compress=`` override)."""
    return Deflater(no_context_takeover=True, window_bits=window_bits).compress(data)


class Inflater:
    """Decompress whole messages, refusing any that inflate beyond ``max_size`` (0: no limit)."""

    __slots__ = ("_decompressor", "_no_context_takeover")

    def __init__(self, *, no_context_takeover: bool = False) -> None:
        self._no_context_takeover = no_context_takeover
        # A 15-bit window decodes any stream made with a smaller one.
        self._decompressor = zlib.decompressobj(-15)

    def decompress(self, data: bytes, max_size: int) -> bytes:
        """Inflate one message; ``WebSocketError`` 1009 if too big, 1007 if not DEFLATE."""
        decompressor = self._decompressor
        if decompressor.eof or self._no_context_takeover:
            decompressor = self._decompressor = zlib.decompressobj(-15)
        try:
            if max_size:
                out = decompressor.decompress(data + _TAIL, max_size + 1)
                if len(out) > max_size or decompressor.unconsumed_tail:
                    raise WebSocketError(
                        WSCloseCode.MESSAGE_TOO_BIG,
                        f"Decompressed message exceeds limit {max_size}",
                    )
            else:
                out = decompressor.decompress(data + _TAIL)
        except zlib.error as exc:
            raise WebSocketError(
                WSCloseCode.INVALID_TEXT, f"Invalid compressed payload: {exc}"
            ) from None
        return out
