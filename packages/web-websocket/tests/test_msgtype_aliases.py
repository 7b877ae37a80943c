"""aiohttp's lowercase ``WSMsgType`` aliases (sockjs and aiohttp's own examples use them)."""

from __future__ import annotations

import pytest
from web_websocket import WSMsgType


@pytest.mark.parametrize(
    ("alias", "member"),
    [
        ("text", WSMsgType.TEXT),
        ("binary", WSMsgType.BINARY),
        ("ping", WSMsgType.PING),
        ("pong", WSMsgType.PONG),
        ("close", WSMsgType.CLOSE),
        ("closing", WSMsgType.CLOSING),
        ("closed", WSMsgType.CLOSED),
        ("error", WSMsgType.ERROR),
    ],
)
def test_lowercase_alias_is_the_member(alias: str, member: WSMsgType) -> None:
    assert getattr(WSMsgType, alias) is member
    assert WSMsgType[alias] is member


def test_aliases_do_not_add_members() -> None:
    assert len(list(WSMsgType)) == 9
