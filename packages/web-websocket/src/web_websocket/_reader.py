"""Message assembly, sans-IO: bytes in, ``WSMessage`` out.

``WebSocketReader.feed`` runs the frame parser, joins fragments, inflates compressed
messages, checks UTF-8 and close frames, and enforces ``max_msg_size`` on the assembled and
the inflated size. A protocol violation becomes one ``WSMessage(ERROR, WebSocketError, None)``
(the error's ``code`` is 1002, 1007 or 1009: what to close with) and the reader stops reading.
"""

from __future__ import annotations

from typing import Final

from ._deflate import Inflater
from ._frames import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameParser,
)
from ._models import WebSocketError, WSCloseCode, WSMessage, WSMsgType

__all__ = ("WebSocketReader", "is_valid_close_code")

_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_PROTOCOL_ERROR: Final = WSCloseCode.PROTOCOL_ERROR
_INVALID_TEXT: Final = WSCloseCode.INVALID_TEXT
_TOO_BIG: Final = WSCloseCode.MESSAGE_TOO_BIG
_ERROR: Final = WSMsgType.ERROR
_from_bytes: Final = int.from_bytes
#: ``WSMessage(...)`` goes through a Python-level ``__new__``; this skips it (hot path).
_new_message: Final = tuple.__new__


def is_valid_close_code(code: int) -> bool:
    """Codes a peer may send (RFC 6455 7.4): 1000-1003, 1007-1014, and 3000-4999.

    1004 is reserved, 1005, 1006 and 1015 must never be put in a close frame.
    """
    return (1000 <= code <= 1003) or (1007 <= code <= 1014) or (3000 <= code <= 4999)


class WebSocketReader:
    """Turn the bytes of one connection into messages.

    ``masked``: the peer masks its frames (True when we are the server).
    ``max_msg_size``: bound of one message, fragments joined and inflated (0: no limit).
    ``inflater``: set when permessage-deflate was negotiated.
    """

    __slots__ = (
        "_decode_text",
        "_fragments",
        "_frames",
        "_inflater",
        "_masked",
        "_max_size",
        "_message_compressed",
        "_message_opcode",
        "_wire_limit",
    )

    def __init__(
        self,
        *,
        masked: bool = True,
        max_msg_size: int = 4 * 1024 * 1024,
        inflater: Inflater | None = None,
        decode_text: bool = True,
    ) -> None:
        if max_msg_size < 0:
            raise ValueError("max_msg_size must be >= 0")
        # A compressed frame may be slightly larger than the message it inflates to.
        frame_limit = max_msg_size + (max_msg_size >> 3) + 64 if inflater else max_msg_size
        self._wire_limit = frame_limit
        self._frames = FrameParser(
            masked=masked, max_size=frame_limit, allow_rsv1=inflater is not None
        )
        self._inflater = inflater
        self._masked = masked
        self._max_size = max_msg_size
        # A bytearray, not a list of parts: a million 1-byte fragments cost a megabyte here,
        # not the ~50 bytes of object overhead each that a list would keep alive.
        self._fragments = bytearray()
        self._message_opcode = -1  # opcode of the fragmented message in progress, or -1
        self._message_compressed = False
        # False: TEXT messages stay UTF-8 bytes, unchecked (aiohttp 3.14's decode_text=False,
        # for decoders such as orjson that take and check bytes themselves).
        self._decode_text = decode_text

    @property
    def failed(self) -> bool:
        """True once a protocol error was reported."""
        return self._frames.failed

    def _fail(self, out: list[WSMessage], code: int, message: str) -> list[WSMessage]:
        out.append(WSMessage(_ERROR, WebSocketError(code, message), None))
        self._frames.stop()
        self._fragments = bytearray()
        return out

    def feed_one(self, data: bytes) -> WSMessage | None:
        """The message of ``data`` if it is exactly one small (< 126 bytes), masked, final,
        uncompressed, valid TEXT or BINARY frame and nothing is buffered; else None, with
        nothing consumed (call ``feed``). What an interactive client sends, decoded with the
        same checks as ``feed`` but no list and no frame tuple."""
        frames = self._frames
        if not self._masked or frames._pending or self._message_opcode >= 0:
            return None
        length = data[1] ^ 0x80 if len(data) > 5 else 126
        if length >= 126 or len(data) != length + 6 or frames._failed:
            return None
        max_size = self._max_size
        if max_size and length > max_size:
            return None
        b0 = data[0]
        if b0 != 0x82 and b0 != 0x81:
            return None
        # apply_mask's small-payload path, inlined (one call less per message).
        mask = data[2:6]
        key = mask * (length >> 2) + mask[: length & 3]
        payload = (_from_bytes(data[6:], "little") ^ _from_bytes(key, "little")).to_bytes(
            length, "little"
        )
        if b0 == 0x82:
            return _new_message(WSMessage, (_BINARY, payload, ""))
        if not self._decode_text:
            return _new_message(WSMessage, (_TEXT, payload, ""))
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return None  # feed() reports it
        return _new_message(WSMessage, (_TEXT, text, ""))

    def feed(self, data: bytes) -> list[WSMessage]:
        """Parse ``data``; return the complete messages (control messages included)."""
        message = self.feed_one(data)
        if message is not None:
            return [message]
        max_size = self._max_size
        frames = self._frames
        out: list[WSMessage] = []
        for frame in frames.feed(data):
            if type(frame) is WebSocketError:
                out.append(WSMessage(_ERROR, frame, None))
                self._fragments = bytearray()
                return out
            fin, rsv1, opcode, payload = frame  # type: ignore[misc]
            if opcode == OP_BINARY and fin and not rsv1 and self._message_opcode < 0:
                # The common case, inlined: a whole uncompressed binary message in one frame.
                if max_size and len(payload) > max_size:
                    return self._fail(
                        out, _TOO_BIG, f"Message size {len(payload)} exceeds limit {max_size}"
                    )
                out.append(WSMessage(_BINARY, payload, ""))
                continue
            if opcode >= OP_CLOSE:
                message = self._control(opcode, payload)
                out.append(message)
                if message.type is _ERROR:
                    self._frames.stop()
                    self._fragments = bytearray()
                    return out
                continue
            if opcode == OP_CONTINUATION:
                if self._message_opcode < 0:
                    return self._fail(out, _PROTOCOL_ERROR, "Continuation frame without a message")
                if rsv1:
                    return self._fail(out, _PROTOCOL_ERROR, "Reserved bit set on a continuation")
                self._fragments += payload
            else:
                if self._message_opcode >= 0:
                    return self._fail(out, _PROTOCOL_ERROR, "Expected a continuation frame")
                if fin:
                    # The common case: a whole message in one frame.
                    error = self._finish(out, opcode, rsv1, payload)
                    if error is not None:
                        return self._fail(out, error.code, str(error))
                    continue
                self._message_opcode = opcode
                self._message_compressed = rsv1
                self._fragments = bytearray(payload)
            limit = self._wire_limit
            if limit and len(self._fragments) > limit:
                size = len(self._fragments)
                return self._fail(out, _TOO_BIG, f"Message size {size} exceeds limit {max_size}")
            if fin:
                payload = bytes(self._fragments)
                self._fragments = bytearray()
                opcode = self._message_opcode
                self._message_opcode = -1
                error = self._finish(out, opcode, self._message_compressed, payload)
                if error is not None:
                    return self._fail(out, error.code, str(error))
        return out

    def feed_eof(self) -> list[WSMessage]:
        """The peer closed the stream; nothing is produced (the caller reports CLOSED)."""
        self._fragments = bytearray()
        return []

    def _finish(
        self, out: list[WSMessage], opcode: int, compressed: bool, payload: bytes
    ) -> WebSocketError | None:
        """Append the finished message; return the error instead if it is invalid."""
        max_size = self._max_size
        if compressed:
            inflater = self._inflater
            if inflater is None:  # the frame parser refuses rsv1 without an inflater
                return WebSocketError(_PROTOCOL_ERROR, "Compressed frame without extension")
            try:
                payload = inflater.decompress(payload, max_size)
            except WebSocketError as exc:
                return exc
        elif max_size and len(payload) > max_size:
            return WebSocketError(_TOO_BIG, f"Message size {len(payload)} exceeds limit {max_size}")
        if opcode == OP_TEXT:
            if not self._decode_text:
                out.append(WSMessage(_TEXT, bytes(payload), ""))
                return None
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                return WebSocketError(_INVALID_TEXT, "Invalid UTF-8 text message")
            out.append(WSMessage(_TEXT, text, ""))
        else:
            out.append(WSMessage(_BINARY, payload, ""))
        return None

    def _control(self, opcode: int, payload: bytes) -> WSMessage:
        if opcode == OP_PING:
            return WSMessage(WSMsgType.PING, payload, "")
        if opcode == OP_PONG:
            return WSMessage(WSMsgType.PONG, payload, "")
        if not payload:
            return WSMessage(WSMsgType.CLOSE, 0, "")
        if len(payload) < 2:
            return WSMessage(_ERROR, WebSocketError(_PROTOCOL_ERROR, "Invalid close frame"), None)
        code = int.from_bytes(payload[:2], "big")
        if not is_valid_close_code(code):
            return WSMessage(
                _ERROR, WebSocketError(_PROTOCOL_ERROR, f"Invalid close code: {code}"), None
            )
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            return WSMessage(
                _ERROR, WebSocketError(_INVALID_TEXT, "Invalid UTF-8 in close reason"), None
            )
        return WSMessage(WSMsgType.CLOSE, code, reason)
