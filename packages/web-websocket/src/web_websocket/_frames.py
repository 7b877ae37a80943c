"""RFC 6455 framing, sans-IO: bytes in, ``Frame`` tuples out; ``encode_frame`` the other way.

A frame (section 5.2)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-------+-+-------------+-------------------------------+
    |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
    |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
    |N|V|V|V|       |S|             |   (if payload len==126/127)   |
    | |1|2|3|       |K|             |                               |
    +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
    |     Extended payload length continued, if payload len == 127  |
    + - - - - - - - - - - - - - - - +-------------------------------+
    |                               |Masking-key, if MASK set to 1  |
    +-------------------------------+-------------------------------+

Everything that can be checked from the header (reserved bits, opcode, control frame rules,
masking direction, size limit) is checked before the payload is awaited, so a hostile peer
cannot make us buffer a frame we would refuse anyway.

Unmasking XORs a small payload as one big integer (CPython's bignum XOR runs in C over 30-bit
digits); from 2 KiB on, where converting to and from an integer dominates, each of the four
mask lanes is XORed by one ``bytes.translate`` over a precomputed table. No per-byte loop.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from ._models import WebSocketError, WSCloseCode

__all__ = ("Frame", "FrameParser", "apply_mask", "encode_frame")

OP_CONTINUATION: Final = 0x0
OP_TEXT: Final = 0x1
OP_BINARY: Final = 0x2
OP_CLOSE: Final = 0x8
OP_PING: Final = 0x9
OP_PONG: Final = 0xA
_DATA_OPCODES: Final = frozenset((OP_CONTINUATION, OP_TEXT, OP_BINARY))
_CONTROL_OPCODES: Final = frozenset((OP_CLOSE, OP_PING, OP_PONG))
#: Control frames carry at most 125 bytes and are never fragmented (section 5.5).
MAX_CONTROL_PAYLOAD: Final = 125

_from_bytes: Final = int.from_bytes
#: ``apply_mask`` switches from one bignum XOR to per-lane ``bytes.translate`` at this size
#: (measured with tools/bench/instructions.py: the two cost the same near 2 KiB).
_TRANSLATE_FROM: Final = 2048
#: ``_XOR_TABLES[k]`` maps every byte ``b`` to ``b ^ k``.
_XOR_TABLES: Final = tuple(bytes(b ^ k for b in range(256)) for k in range(256))


def _valid_first_bytes(allow_rsv1: bool) -> frozenset[int]:
    """Every first header byte (FIN, RSV1-3, opcode) valid as it stands: the hot loop then
    needs one membership test instead of the full rule set."""
    return frozenset(
        b0
        for b0 in range(256)
        if not b0 & 0x30
        and (not b0 & 0x40 or (allow_rsv1 and b0 & 0x0F in _DATA_OPCODES))
        and (b0 & 0x0F in _DATA_OPCODES or (b0 & 0x0F in _CONTROL_OPCODES and b0 & 0x80))
    )


#: Built once per process, not per parser: 256 rule checks cost a websocket's set-up ~14 µs.
_OK_FIRST: Final = _valid_first_bytes(False)
_OK_FIRST_RSV1: Final = _valid_first_bytes(True)
_PROTOCOL_ERROR: Final = WSCloseCode.PROTOCOL_ERROR
_TOO_BIG: Final = WSCloseCode.MESSAGE_TOO_BIG


class Frame(NamedTuple):
    """One decoded frame; ``payload`` is already unmasked (and still compressed if rsv1)."""

    fin: bool
    rsv1: bool
    opcode: int
    payload: bytes


def apply_mask(mask: bytes, data: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``mask`` repeated (masking and unmasking are the same)."""
    size = len(data)
    if size < _TRANSLATE_FROM:
        key = mask * (size >> 2) + mask[: size & 3]
        return (_from_bytes(data, "little") ^ _from_bytes(key, "little")).to_bytes(size, "little")
    # Large payloads: the bignum conversions cost ~40 instructions a byte; four strided
    # translate() calls (one per mask byte, each a C loop over a 256-byte table) cost far less.
    buf = bytearray(data)
    for lane in range(4):
        buf[lane::4] = buf[lane::4].translate(_XOR_TABLES[mask[lane]])
    return bytes(buf)


def encode_frame(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask: bytes | None = None,
) -> bytes:
    """Serialize one frame; ``mask`` (4 bytes) is what a client must use, a server never does."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    size = len(payload)
    mask_bit = 0 if mask is None else 0x80
    if size < 126:
        head = bytes((first, mask_bit | size))
    elif size < 0x10000:
        head = bytes((first, mask_bit | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, mask_bit | 127)) + size.to_bytes(8, "big")
    if mask is None:
        return head + payload
    if len(mask) != 4:
        raise ValueError("a frame mask is exactly 4 bytes")
    return head + mask + apply_mask(mask, payload)


class FrameParser:
    """Split a byte stream into frames; any split of the input gives the same frames.

    ``feed`` returns the complete frames found so far. A protocol violation is appended as a
    ``WebSocketError`` (its ``code`` is the close code to answer with) and the parser then
    ignores further input.

    ``masked`` is what the peer must do: True for a server reading a client (RFC 6455 5.1:
    "a server MUST close the connection upon receiving a frame that is not masked"), False
    for a client reading a server. ``max_size`` bounds one frame's payload (0: no limit);
    ``allow_rsv1`` is set when permessage-deflate was negotiated.
    """

    __slots__ = (
        "_allow_rsv1",
        "_failed",
        "_have",
        "_mask_bit",
        "_masked",
        "_max_size",
        "_need",
        "_ok_first",
        "_pending",
    )

    def __init__(self, *, masked: bool = True, max_size: int = 0, allow_rsv1: bool = False) -> None:
        if max_size < 0:
            raise ValueError("max_size must be >= 0")
        self._masked = masked
        self._mask_bit = 0x80 if masked else 0
        self._allow_rsv1 = allow_rsv1
        self._ok_first = _OK_FIRST_RSV1 if allow_rsv1 else _OK_FIRST
        self._max_size = max_size
        self._pending: list[bytes] = []
        self._have = 0
        self._need = 0
        self._failed = False

    @property
    def masked(self) -> bool:
        """Whether the peer's frames must be masked (we are the server)."""
        return self._masked

    @property
    def allow_rsv1(self) -> bool:
        """Whether RSV1 (permessage-deflate's "compressed" bit) may be set."""
        return self._allow_rsv1

    @property
    def failed(self) -> bool:
        """True once a protocol error was reported: the stream is no longer read."""
        return self._failed

    @property
    def buffered(self) -> int:
        """Bytes received that do not yet make a complete frame."""
        return self._have

    def stop(self) -> None:
        """Ignore all further input (the layer above found a protocol error)."""
        self._failed = True
        self._pending = []
        self._have = 0

    def _fail(self, out: list[Frame | WebSocketError], code: int, message: str) -> None:
        out.append(WebSocketError(code, message))
        self._failed = True
        self._pending = []
        self._have = 0

    def _check_header(self, b0: int, b1: int, out: list[Frame | WebSocketError]) -> bool:
        """Validate the two fixed header bytes; False (with an error appended) if invalid."""
        opcode = b0 & 0x0F
        if b0 & 0x30 or (b0 & 0x40 and not self._allow_rsv1):
            self._fail(out, _PROTOCOL_ERROR, "Received frame with non-zero reserved bits")
            return False
        if opcode in _CONTROL_OPCODES:
            if not b0 & 0x80:
                self._fail(out, _PROTOCOL_ERROR, "Received fragmented control frame")
                return False
            if (b1 & 0x7F) > MAX_CONTROL_PAYLOAD:
                self._fail(
                    out, _PROTOCOL_ERROR, "Control frame payload cannot be larger than 125 bytes"
                )
                return False
            if b0 & 0x40:
                self._fail(out, _PROTOCOL_ERROR, "Received compressed control frame")
                return False
        elif opcode not in _DATA_OPCODES:
            self._fail(out, _PROTOCOL_ERROR, f"Received frame with unknown opcode {opcode:#x}")
            return False
        if bool(b1 & 0x80) is not self._masked:
            text = "Received unmasked frame" if self._masked else "Received masked frame"
            self._fail(out, _PROTOCOL_ERROR, text)
            return False
        return True

    def feed(self, data: bytes) -> list[Frame | WebSocketError]:
        """Parse ``data`` (appended to what is buffered); return the complete frames."""
        if self._failed:
            return []
        pending = self._pending
        if pending:
            pending.append(data)
            self._have += len(data)
            if self._have < self._need:
                return []
            data = b"".join(pending)
            pending.clear()
        out: list[Frame | WebSocketError] = []
        pos = 0
        end = len(data)
        max_size = self._max_size
        ok_first = self._ok_first
        mask_bit = self._mask_bit
        need = 0
        while pos < end:
            if end - pos < 2:
                need = 2
                break
            b0 = data[pos]
            b1 = data[pos + 1]
            if (
                b0 not in ok_first
                or (b1 & 0x80) != mask_bit
                or (b0 & 0x08 and (b1 & 0x7F) > MAX_CONTROL_PAYLOAD)
            ) and not self._check_header(b0, b1, out):
                return out
            length = b1 & 0x7F
            start = pos + 2
            if length == 126:
                start += 2
                if end < start:
                    need = 4
                    break
                length = int.from_bytes(data[pos + 2 : start], "big")
            elif length == 127:
                start += 8
                if end < start:
                    need = 10
                    break
                length = int.from_bytes(data[pos + 2 : start], "big")
                if length >> 63:
                    self._fail(out, _PROTOCOL_ERROR, "Frame length has its top bit set")
                    return out
            if max_size and length > max_size:
                self._fail(out, _TOO_BIG, f"Message size {length} exceeds limit {max_size}")
                return out
            if b1 & 0x80:
                start += 4
                stop = start + length
                if end < stop:
                    need = stop - pos
                    break
                payload = apply_mask(data[start - 4 : start], data[start:stop])
            else:
                stop = start + length
                if end < stop:
                    need = stop - pos
                    break
                payload = data[start:stop]
            out.append(Frame(bool(b0 & 0x80), bool(b0 & 0x40), b0 & 0x0F, payload))
            pos = stop
        if pos < end:
            rest = data[pos:] if pos else data
            pending.append(rest)
            self._have = len(rest)
            self._need = need
        else:
            self._have = 0
        return out
