"""Message encoding, sans-IO: a message in, the bytes of its frame(s) out.

A server never masks; a client (tests, tools) passes ``mask=True`` and each frame gets a
fresh random key as RFC 6455 section 5.3 requires. Data messages are compressed when a
``Deflater`` is given (permessage-deflate negotiated); control frames never are.
"""

from __future__ import annotations

import os

from ._deflate import Deflater, compress_once
from ._frames import MAX_CONTROL_PAYLOAD, OP_CLOSE, OP_CONTINUATION, encode_frame

__all__ = ("FrameWriter",)


class FrameWriter:
    """Encode messages as frames; ``fragment_size`` > 0 splits data messages."""

    __slots__ = ("_deflater", "fragment_size", "mask")

    def __init__(
        self, *, mask: bool = False, deflater: Deflater | None = None, fragment_size: int = 0
    ) -> None:
        if fragment_size < 0:
            raise ValueError("fragment_size must be >= 0")
        self.mask = mask
        self._deflater = deflater
        self.fragment_size = fragment_size

    @property
    def compress(self) -> bool:
        """True when data messages are compressed (permessage-deflate in use)."""
        return self._deflater is not None

    def encode(self, opcode: int, payload: bytes, *, compress: int | None = None) -> bytes:
        """The frames of one message; ``compress`` (window bits) overrides the negotiated
        compressor for this message only (it is ignored when deflate was not negotiated)."""
        if opcode >= OP_CLOSE:
            if len(payload) > MAX_CONTROL_PAYLOAD:
                raise ValueError("control frame payload cannot be larger than 125 bytes")
            return encode_frame(opcode, payload, mask=os.urandom(4) if self.mask else None)
        deflater = self._deflater
        size = self.fragment_size
        if deflater is None and not self.mask and len(payload) < 126 and not size:
            # The common case, inlined: a small uncompressed server frame.
            return bytes((0x80 | opcode, len(payload))) + payload
        rsv1 = False
        if deflater is not None:
            payload = compress_once(payload, compress) if compress else deflater.compress(payload)
            rsv1 = True
        if not size or len(payload) <= size:
            return encode_frame(
                opcode, payload, rsv1=rsv1, mask=os.urandom(4) if self.mask else None
            )
        last = len(payload) - size
        mask = self.mask
        return b"".join(
            encode_frame(
                opcode if start == 0 else OP_CONTINUATION,
                payload[start : start + size],
                fin=start >= last,
                rsv1=rsv1 and start == 0,
                mask=os.urandom(4) if mask else None,
            )
            for start in range(0, len(payload), size)
        )

    def close(self, code: int = 1000, message: bytes = b"") -> bytes:
        """A close frame; ``ValueError`` if the reason is over 123 bytes (cutting it could
        split a UTF-8 sequence, which the peer must refuse)."""
        return self.encode(OP_CLOSE, code.to_bytes(2, "big") + message)
