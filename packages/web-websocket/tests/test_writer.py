"""FrameWriter: what a server sends (unmasked), fragments, control frame limits."""

from __future__ import annotations

import pytest
from web_websocket import Frame, FrameParser, FrameWriter


def test_server_frames_are_unmasked_and_single() -> None:
    wire = FrameWriter().encode(0x1, b"hello")
    assert wire == b"\x81\x05hello"


def test_fragmentation_splits_data_messages() -> None:
    wire = FrameWriter(fragment_size=4).encode(0x2, b"0123456789")
    assert FrameParser(masked=False).feed(wire) == [
        Frame(False, False, 0x2, b"0123"),
        Frame(False, False, 0x0, b"4567"),
        Frame(True, False, 0x0, b"89"),
    ]


def test_client_frames_are_masked_with_fresh_keys() -> None:
    writer = FrameWriter(mask=True)
    first, second = writer.encode(0x2, b"same" * 10), writer.encode(0x2, b"same" * 10)
    assert first[1] & 0x80
    assert first != second  # a new random key per frame
    assert (
        FrameParser(masked=True).feed(first + second) == [Frame(True, False, 2, b"same" * 10)] * 2
    )


def test_control_frames_are_bounded() -> None:
    writer = FrameWriter()
    assert writer.close(1000, b"x" * 123)[:4] == b"\x88\x7d\x03\xe8"
    with pytest.raises(ValueError, match="125"):
        writer.close(1000, b"x" * 124)
    with pytest.raises(ValueError, match="125"):
        writer.encode(0x9, b"p" * 126)


def test_negative_fragment_size_is_refused() -> None:
    with pytest.raises(ValueError, match="fragment_size"):
        FrameWriter(fragment_size=-1)
