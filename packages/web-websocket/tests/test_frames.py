"""apply_mask: the bignum path (small payloads) and the translate path (large) agree."""

from __future__ import annotations

import pytest
from web_websocket._frames import apply_mask


@pytest.mark.parametrize("size", [0, 1, 3, 4, 125, 2047, 2048, 2049, 4099, 70000])
def test_apply_mask_matches_the_bytewise_definition_on_both_sides_of_the_switch(size: int) -> None:
    mask = bytes((0x9B, 0x01, 0xFE, 0x5A))
    data = bytes((i * 7 + 3) & 0xFF for i in range(size))
    expected = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert apply_mask(mask, data) == expected
    assert apply_mask(mask, expected) == data
