"""permessage-deflate: negotiation, round trips, context takeover, bombs and garbage."""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import given, settings, strategies as st
from web_websocket import (
    DeflateParams,
    Deflater,
    FrameWriter,
    Inflater,
    WebSocketError,
    WebSocketReader,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    encode_frame,
    negotiate_deflate,
)


@pytest.mark.parametrize(
    ("offer", "params", "answer"),
    [
        ("permessage-deflate", DeflateParams(), "permessage-deflate"),
        (
            "permessage-deflate; client_max_window_bits",
            DeflateParams(),
            "permessage-deflate",
        ),
        (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            DeflateParams(server_no_context_takeover=True, client_no_context_takeover=True),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        ),
        (
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
            DeflateParams(server_max_window_bits=10, client_max_window_bits=12),
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
        ),
        (
            'permessage-deflate; server_max_window_bits="9"',
            DeflateParams(server_max_window_bits=9),
            "permessage-deflate; server_max_window_bits=9",
        ),
        (
            "x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate",
            DeflateParams(),
            "permessage-deflate",
        ),
    ],
    ids=["plain", "client-bits-no-value", "no-context", "window-bits", "quoted", "fallback"],
)
def test_accepted_offers(offer: str, params: DeflateParams, answer: str) -> None:
    assert negotiate_deflate(offer) == (params, answer)


@pytest.mark.parametrize(
    "offer",
    [
        "x-webkit-deflate-frame",
        "permessage-deflate; unknown=1",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; server_max_window_bits=abc",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    ],
    ids=[
        "other-extension",
        "unknown-param",
        "server-bits-no-value",
        "bits-16",
        "bits-8",
        "bits-text",
        "client-bits-7",
        "flag-with-value",
        "duplicate",
    ],
)
def test_declined_offers(offer: str) -> None:
    assert negotiate_deflate(offer) is None


@settings(max_examples=50, deadline=None)
@given(
    messages=st.lists(st.binary(max_size=3000), min_size=1, max_size=5),
    no_context=st.booleans(),
    bits=st.integers(min_value=9, max_value=15),
)
def test_deflater_inflater_round_trip(messages: list[bytes], no_context: bool, bits: int) -> None:
    deflater = Deflater(no_context_takeover=no_context, window_bits=bits)
    inflater = Inflater(no_context_takeover=no_context)
    for message in messages:
        assert inflater.decompress(deflater.compress(message), 0) == message


def test_context_takeover_makes_repeated_messages_smaller() -> None:
    message = os.urandom(200)
    shared = Deflater()
    first = shared.compress(message)
    assert len(shared.compress(message)) < len(first) // 2
    fresh = Deflater(no_context_takeover=True)
    fresh.compress(message)
    assert len(fresh.compress(message)) >= len(first) - 2


def test_empty_message_compresses_to_a_single_zero_byte() -> None:
    assert Deflater().compress(b"") == b"\x00"
    assert Inflater().decompress(b"\x00", 10) == b""


def test_deflate_bomb_is_cut_off_at_the_limit() -> None:
    bomb = Deflater().compress(b"\x00" * (50 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(WebSocketError) as info:
        Inflater().decompress(bomb, 1024 * 1024)
    assert info.value.code == WSCloseCode.MESSAGE_TOO_BIG


def test_garbage_is_refused() -> None:
    with pytest.raises(WebSocketError) as info:
        Inflater().decompress(b"\xff\xff\xff\xff", 100)
    assert info.value.code == WSCloseCode.INVALID_TEXT


def test_reader_inflates_fragmented_compressed_messages() -> None:
    writer = FrameWriter(mask=True, deflater=Deflater(), fragment_size=7)
    reader = WebSocketReader(inflater=Inflater())
    text = "héllo wörld " * 50
    for _ in range(3):  # context carried over between messages
        assert reader.feed(writer.encode(0x1, text.encode())) == [
            WSMessage(WSMsgType.TEXT, text, "")
        ]


def test_reader_bounds_the_inflated_size() -> None:
    payload = Deflater().compress(b"a" * 100_000)
    wire = encode_frame(0x2, payload, rsv1=True, mask=os.urandom(4))
    (message,) = WebSocketReader(max_msg_size=50_000, inflater=Inflater()).feed(wire)
    assert message.type is WSMsgType.ERROR
    assert message.data.code == WSCloseCode.MESSAGE_TOO_BIG


def test_per_message_window_override() -> None:
    writer = FrameWriter(deflater=Deflater())
    wire = writer.encode(0x2, b"abc" * 100, compress=9)
    (message,) = WebSocketReader(masked=False, inflater=Inflater()).feed(wire)
    assert message.data == b"abc" * 100


def test_zlib_window_limit_is_respected() -> None:
    # A 9-bit server window must decode with a 9-bit inflater (what the client may use).
    data = os.urandom(300) * 20
    compressed = Deflater(window_bits=9).compress(data)
    assert zlib.decompressobj(-9).decompress(compressed + b"\x00\x00\xff\xff") == data
