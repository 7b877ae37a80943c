"""Message assembly: fragments, interleaved control frames, UTF-8, close frames, limits."""

from __future__ import annotations

import os
import struct

import pytest
from hypothesis import given, settings, strategies as st
from web_websocket import (
    FrameWriter,
    WebSocketError,
    WebSocketReader,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    encode_frame,
)


def masked(opcode: int, payload: bytes, *, fin: bool = True, rsv1: bool = False) -> bytes:
    return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=os.urandom(4))


def error_of(messages: list[WSMessage]) -> WebSocketError:
    assert messages[-1].type is WSMsgType.ERROR
    error = messages[-1].data
    assert isinstance(error, WebSocketError)
    return error


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(max_size=400),
    size=st.integers(min_value=1, max_value=64),
    cuts=st.lists(st.integers(min_value=0), max_size=6),
)
def test_fragmented_text_reassembles_for_any_fragment_size_and_split(
    text: str, size: int, cuts: list[int]
) -> None:
    wire = FrameWriter(mask=True, fragment_size=size).encode(0x1, text.encode("utf-8"))
    reader = WebSocketReader()
    points = sorted({c % (len(wire) + 1) for c in cuts})
    got: list[WSMessage] = []
    start = 0
    for point in [*points, len(wire)]:
        got.extend(reader.feed(wire[start:point]))
        start = point
    # A fragment may split a UTF-8 sequence: only the whole message must be valid.
    assert got == [WSMessage(WSMsgType.TEXT, text, "")]


@pytest.mark.parametrize("opcode", [0x1, 0x2], ids=["text", "binary"])
def test_single_frame_messages(opcode: int) -> None:
    reader = WebSocketReader()
    out = reader.feed(masked(opcode, b"hi") + masked(opcode, b"there"))
    kind = WSMsgType(opcode)
    expected = ["hi", "there"] if opcode == 1 else [b"hi", b"there"]
    assert out == [WSMessage(kind, data, "") for data in expected]


def test_control_frames_may_arrive_between_fragments() -> None:
    wire = (
        masked(0x2, b"ab", fin=False)
        + masked(0x9, b"ping!")
        + masked(0x0, b"cd", fin=False)
        + masked(0xA, b"")
        + masked(0x0, b"ef")
    )
    assert WebSocketReader().feed(wire) == [
        WSMessage(WSMsgType.PING, b"ping!", ""),
        WSMessage(WSMsgType.PONG, b"", ""),
        WSMessage(WSMsgType.BINARY, b"abcdef", ""),
    ]


def test_continuation_without_a_message_is_a_protocol_error() -> None:
    assert error_of(WebSocketReader().feed(masked(0x0, b"x"))).code == 1002


def test_new_message_inside_a_fragmented_one_is_a_protocol_error() -> None:
    wire = masked(0x1, b"a", fin=False) + masked(0x2, b"b")
    assert error_of(WebSocketReader().feed(wire)).code == 1002


@pytest.mark.parametrize(
    "payload",
    [b"\xff", b"\xc3", b"\xed\xa0\x80", b"abc\xf4\x90\x80\x80"],
    ids=["ff", "truncated", "surrogate", "above-max"],
)
def test_invalid_utf8_text_fails_with_1007(payload: bytes) -> None:
    # Also through the general path (a fragmented message).
    for wire in (masked(0x1, payload), masked(0x1, b"", fin=False) + masked(0x0, payload)):
        reader = WebSocketReader()
        assert error_of(reader.feed(wire)).code == WSCloseCode.INVALID_TEXT
        assert reader.failed
        assert reader.feed(masked(0x1, b"ok")) == []


def test_close_frames() -> None:
    reader = WebSocketReader()
    payload = struct.pack("!H", 4000) + "bye ✓".encode()
    assert reader.feed(masked(0x8, payload)) == [WSMessage(WSMsgType.CLOSE, 4000, "bye ✓")]
    assert WebSocketReader().feed(masked(0x8, b"")) == [WSMessage(WSMsgType.CLOSE, 0, "")]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"\x03", 1002),
        (struct.pack("!H", 1005), 1002),
        (struct.pack("!H", 1006), 1002),
        (struct.pack("!H", 999), 1002),
        (struct.pack("!H", 2000), 1002),
        (struct.pack("!H", 5000), 1002),
        (struct.pack("!H", 1000) + b"\xff", 1007),
    ],
    ids=["one-byte", "1005", "1006", "999", "2000", "5000", "bad-reason"],
)
def test_invalid_close_frames(payload: bytes, code: int) -> None:
    assert error_of(WebSocketReader().feed(masked(0x8, payload))).code == code


def test_max_msg_size_is_enforced_across_fragments() -> None:
    reader = WebSocketReader(max_msg_size=10)
    out = reader.feed(masked(0x2, b"123456", fin=False))
    assert out == []
    error = error_of(reader.feed(masked(0x0, b"789012")))
    assert error.code == WSCloseCode.MESSAGE_TOO_BIG


def test_max_msg_size_single_frame_and_zero_disables() -> None:
    assert error_of(WebSocketReader(max_msg_size=3).feed(masked(0x1, b"abcd"))).code == 1009
    assert WebSocketReader(max_msg_size=4).feed(masked(0x1, b"abcd"))[0].data == "abcd"
    big = b"x" * (5 * 1024 * 1024)
    assert WebSocketReader(max_msg_size=0).feed(masked(0x2, big))[0].data == big


def test_message_json_helper() -> None:
    (message,) = WebSocketReader().feed(masked(0x1, b'{"a": [1, 2]}'))
    assert message.json() == {"a": [1, 2]}


def test_many_tiny_fragments_reassemble() -> None:
    mask = b"\x01\x02\x03\x04"
    wire = bytearray(encode_frame(0x2, b"a", fin=False, mask=mask))
    fragment = encode_frame(0x0, b"b", fin=False, mask=mask)
    wire += fragment * 100_000
    wire += encode_frame(0x0, b"c", mask=mask)
    reader = WebSocketReader(max_msg_size=200_000)
    (message,) = reader.feed(bytes(wire))
    assert message.data == b"a" + b"b" * 100_000 + b"c"


def test_tiny_fragments_still_hit_the_limit() -> None:
    mask = b"\x01\x02\x03\x04"
    wire = encode_frame(0x2, b"a", fin=False, mask=mask)
    wire += encode_frame(0x0, b"b", fin=False, mask=mask) * 200
    out = WebSocketReader(max_msg_size=100).feed(wire)
    assert out[-1].type is WSMsgType.ERROR
    assert out[-1].data.code == WSCloseCode.MESSAGE_TOO_BIG


def test_decode_text_false_keeps_text_as_bytes() -> None:
    # aiohttp 3.14: the bytes are handed over as they came (the decoder checks them).
    for wire in (
        masked(0x1, "é".encode()),
        masked(0x1, b"ab", fin=False) + masked(0x0, b"\xff"),
        masked(0x1, b"x" * 300),
    ):
        out = WebSocketReader(decode_text=False).feed(wire)
        assert len(out) == 1
        assert out[0].type is WSMsgType.TEXT
        assert isinstance(out[0].data, bytes)
    assert WebSocketReader(decode_text=False).feed(masked(0x2, b"b")) == [
        WSMessage(WSMsgType.BINARY, b"b", "")
    ]
