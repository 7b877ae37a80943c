"""Frame-level protocol violations end in one WebSocketError with the right close code."""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pytest
from web_websocket import FrameParser, WebSocketError, WSCloseCode, encode_frame

MASK = b"\x11\x22\x33\x44"


def only_error(events: Sequence[object]) -> WebSocketError:
    assert len(events) == 1
    error = events[0]
    assert isinstance(error, WebSocketError)
    return error


@pytest.mark.parametrize(
    ("wire", "code", "text"),
    [
        (encode_frame(0x2, b"abc"), 1002, "unmasked"),
        (bytes((0x82 | 0x20, 0x80)) + MASK, 1002, "reserved"),
        (bytes((0x82 | 0x10, 0x80)) + MASK, 1002, "reserved"),
        (encode_frame(0x2, b"x", rsv1=True, mask=MASK), 1002, "reserved"),
        (encode_frame(0x9, b"", fin=False, mask=MASK), 1002, "fragmented control"),
        (bytes((0x89, 0x80 | 126)) + b"\x00\x7e" + MASK + b"a" * 126, 1002, "125"),
        (encode_frame(0x3, b"", mask=MASK), 1002, "opcode"),
        (encode_frame(0xB, b"", mask=MASK), 1002, "opcode"),
        (bytes((0x82, 0xFF)) + struct.pack("!Q", 1 << 63) + MASK, 1002, "top bit"),
    ],
    ids=[
        "unmasked",
        "rsv2",
        "rsv3",
        "rsv1-without-extension",
        "fragmented-ping",
        "long-ping",
        "opcode-3",
        "opcode-b",
        "64-bit-top-bit",
    ],
)
def test_header_violations(wire: bytes, code: int, text: str) -> None:
    error = only_error(FrameParser().feed(wire))
    assert error.code == code
    assert text in str(error).lower()


def test_compressed_control_frame_is_refused_even_with_the_extension() -> None:
    wire = encode_frame(0x9, b"", rsv1=True, mask=MASK)
    assert only_error(FrameParser(allow_rsv1=True).feed(wire)).code == 1002


def test_a_masked_frame_from_a_server_is_refused_by_a_client() -> None:
    error = only_error(FrameParser(masked=False).feed(encode_frame(0x1, b"x", mask=MASK)))
    assert "masked" in str(error)


def test_oversized_frame_is_refused_from_its_header_alone() -> None:
    parser = FrameParser(max_size=1000)
    header = bytes((0x82, 0x80 | 127)) + struct.pack("!Q", 10**9) + MASK
    error = only_error(parser.feed(header))  # the payload is never awaited
    assert error.code == WSCloseCode.MESSAGE_TOO_BIG


def test_frames_before_an_error_are_kept_and_later_input_is_ignored() -> None:
    parser = FrameParser()
    events = parser.feed(encode_frame(0x1, b"ok", mask=MASK) + encode_frame(0x2, b"no"))
    assert len(events) == 2
    assert isinstance(events[1], WebSocketError)
    assert parser.failed
    assert parser.feed(encode_frame(0x1, b"more", mask=MASK)) == []


def test_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_size"):
        FrameParser(max_size=-1)
