"""The opening handshake: RFC 6455 accept key, refusals, subprotocols, extensions."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict
from web_websocket import HandshakeError, accept_key, check_handshake

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # the RFC 6455 section 1.3 example


def upgrade_headers(**extra: str) -> CIMultiDict[str]:
    headers = CIMultiDict(
        {
            "Upgrade": "websocket",
            "Connection": "keep-alive, Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": KEY,
        }
    )
    for name, value in extra.items():
        headers[name.replace("_", "-")] = value
    return headers


def test_rfc_example_accept_key() -> None:
    assert accept_key(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_valid_handshake_headers() -> None:
    result = check_handshake("GET", upgrade_headers())
    assert dict(result.headers) == {
        "Upgrade": "websocket",
        "Connection": "upgrade",
        "Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    }
    assert result.protocol is None
    assert result.deflate is None


@pytest.mark.parametrize(
    ("upgrade", "connection"),
    [
        ("websocket", "Upgrade"),
        ("WebSocket", "upgrade"),
        ("h2c, WebSocket", "Upgrade, keep-alive"),
        (" websocket ", "keep-alive ,UPGRADE"),
    ],
)
def test_upgrade_tokens_match_in_any_case_alone_or_listed(upgrade: str, connection: str) -> None:
    result = check_handshake("GET", upgrade_headers(Upgrade=upgrade, Connection=connection))
    assert ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") in result.headers


@pytest.mark.parametrize(
    ("method", "changes", "status", "text"),
    [
        ("POST", {}, 405, "GET"),
        ("GET", {"Upgrade": "h2c"}, 400, "UPGRADE"),
        ("GET", {"Connection": "keep-alive"}, 400, "CONNECTION"),
        ("GET", {"Sec-WebSocket-Version": "8"}, 400, "version"),
        ("GET", {"Sec-WebSocket-Key": "c2hvcnQ="}, 400, "Handshake"),
        ("GET", {"Sec-WebSocket-Key": "not base64 at all!!!!!!!"}, 400, "Handshake"),
        ("GET", {"Sec-WebSocket-Key": "ÿÿÿ"}, 400, "Handshake"),
    ],
    ids=[
        "post",
        "upgrade-h2c",
        "no-connection-upgrade",
        "version-8",
        "short-key",
        "bad-b64",
        "non-ascii",
    ],
)
def test_refusals(method: str, changes: dict[str, str], status: int, text: str) -> None:
    headers = upgrade_headers()
    for name, value in changes.items():
        headers[name] = value
    with pytest.raises(HandshakeError) as info:
        check_handshake(method, headers)
    assert info.value.status == status
    assert text in str(info.value)


def test_missing_key_and_version() -> None:
    for name in ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Upgrade", "Connection"):
        headers = upgrade_headers()
        del headers[name]
        with pytest.raises(HandshakeError):
            check_handshake("GET", headers)


def test_bad_version_advertises_13() -> None:
    with pytest.raises(HandshakeError) as info:
        check_handshake("GET", upgrade_headers(Sec_WebSocket_Version="12"))
    assert info.value.headers == (("Sec-WebSocket-Version", "13"),)


def test_subprotocol_follows_the_clients_preference() -> None:
    headers = upgrade_headers(Sec_WebSocket_Protocol="chat.v2, chat.v1")
    result = check_handshake("GET", headers, protocols=("chat.v1", "chat.v2"))
    assert result.protocol == "chat.v2"
    assert ("Sec-WebSocket-Protocol", "chat.v2") in result.headers
    none = check_handshake("GET", headers, protocols=("other",))
    assert none.protocol is None
    assert all(name != "Sec-WebSocket-Protocol" for name, _ in none.headers)


def test_deflate_is_negotiated_only_when_enabled() -> None:
    headers = upgrade_headers(Sec_WebSocket_Extensions="permessage-deflate; client_max_window_bits")
    on = check_handshake("GET", headers)
    assert on.deflate is not None
    assert ("Sec-WebSocket-Extensions", "permessage-deflate") in on.headers
    off = check_handshake("GET", headers, compress=False)
    assert off.deflate is None
    assert all(name != "Sec-WebSocket-Extensions" for name, _ in off.headers)


@pytest.mark.parametrize("version", [(1, 0), (0, 9)])
def test_upgrade_over_http10_is_refused(version: tuple[int, int]) -> None:
    """RFC 6455 4.2.1: the opening handshake is an HTTP/1.1 (or later) GET."""
    with pytest.raises(HandshakeError, match=r"HTTP/1\.1") as info:
        check_handshake("GET", upgrade_headers(), http_version=version)
    assert info.value.status == 400


def test_upgrade_over_http11_names_its_version() -> None:
    assert check_handshake("GET", upgrade_headers(), http_version=(1, 1)).protocol is None
