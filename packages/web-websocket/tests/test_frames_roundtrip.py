"""Frames survive encode -> parse for any payload, opcode, flags, mask and byte split."""

from __future__ import annotations

import os

from hypothesis import given, settings, strategies as st
from web_websocket import Frame, FrameParser, WebSocketError, apply_mask, encode_frame

DATA_OPCODES = (0x0, 0x1, 0x2)
CONTROL_OPCODES = (0x8, 0x9, 0xA)


def split_feed(parser: FrameParser, data: bytes, cuts: list[int]) -> list[Frame | WebSocketError]:
    out: list[Frame | WebSocketError] = []
    points = sorted({c % (len(data) + 1) for c in cuts})
    start = 0
    for point in [*points, len(data)]:
        out.extend(parser.feed(data[start:point]))
        start = point
    return out


frames_strategy = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(DATA_OPCODES),
            st.booleans(),
            st.booleans(),
            st.binary(max_size=70000).filter(lambda b: len(b) < 300 or len(b) > 65530),
        ),
        st.tuples(
            st.sampled_from(CONTROL_OPCODES),
            st.just(True),
            st.just(False),
            st.binary(max_size=125),
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(frames=frames_strategy, cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_masked_frames_round_trip_any_split(
    frames: list[tuple[int, bool, bool, bytes]], cuts: list[int]
) -> None:
    wire = b"".join(
        encode_frame(op, payload, fin=fin, rsv1=rsv1, mask=os.urandom(4))
        for op, fin, rsv1, payload in frames
    )
    parser = FrameParser(masked=True, allow_rsv1=True)
    got = split_feed(parser, wire, cuts)
    assert got == [Frame(fin, rsv1, op, payload) for op, fin, rsv1, payload in frames]
    assert parser.buffered == 0


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=2000), cuts=st.lists(st.integers(min_value=0), max_size=5))
def test_unmasked_frames_for_a_client_reader(payload: bytes, cuts: list[int]) -> None:
    wire = encode_frame(0x2, payload)
    assert split_feed(FrameParser(masked=False), wire, cuts) == [Frame(True, False, 2, payload)]


@given(mask=st.binary(min_size=4, max_size=4), data=st.binary(max_size=300))
def test_apply_mask_matches_bytewise_xor_and_is_an_involution(mask: bytes, data: bytes) -> None:
    masked = apply_mask(mask, data)
    assert masked == bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert apply_mask(mask, masked) == data


def test_length_encodings_at_the_boundaries() -> None:
    for size, header in ((125, 2), (126, 4), (65535, 4), (65536, 10)):
        wire = encode_frame(0x2, b"a" * size)
        assert len(wire) == header + size
        assert FrameParser(masked=False).feed(wire) == [Frame(True, False, 2, b"a" * size)]


def test_byte_by_byte_feeding_gives_the_frame_at_the_last_byte() -> None:
    wire = encode_frame(0x1, b"hello", mask=b"\x01\x02\x03\x04")
    parser = FrameParser()
    results = [parser.feed(wire[i : i + 1]) for i in range(len(wire))]
    assert results[:-1] == [[]] * (len(wire) - 1)
    assert results[-1] == [Frame(True, False, 1, b"hello")]


def test_encode_frame_refuses_a_bad_mask_length() -> None:
    try:
        encode_frame(0x1, b"x", mask=b"abc")
    except ValueError as exc:
        assert "4 bytes" in str(exc)
    else:
        raise AssertionError("a 3-byte mask was accepted")
