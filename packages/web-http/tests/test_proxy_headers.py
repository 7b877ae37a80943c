"""Strict proxy-header readers: whole chains or ValueError."""

from __future__ import annotations

import pytest
from web_http import (
    MAX_HOPS,
    parse_forwarded_strict,
    parse_node,
    parse_x_forwarded,
    parse_x_forwarded_for,
)


@pytest.mark.parametrize(
    ("node", "address"),
    [
        ("192.0.2.60", "192.0.2.60"),
        ("192.0.2.60:4711", "192.0.2.60"),
        ("[2001:db8:cafe::17]:4711", "2001:db8:cafe::17"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("unknown", "unknown"),
        ("_hidden", "_hidden"),
        ("_SEVKISEK:_port", "_SEVKISEK"),
    ],
)
def test_nodes(node: str, address: str) -> None:
    assert parse_node(node) == address


@pytest.mark.parametrize(
    "node", ["", "300.1.1.1", "1.2.3", "host.example", "[::1", "[::1]x", "1.2.3.4:", "1.2.3.4:x1"]
)
def test_bad_nodes(node: str) -> None:
    with pytest.raises(ValueError):
        parse_node(node)


def test_forwarded_elements_in_order() -> None:
    got = parse_forwarded_strict(
        ['for=192.0.2.43;proto=https;host="a.example", for="[2001:db8::1]:80"', "For=10.0.0.1"]
    )
    assert got == [
        {"for": "192.0.2.43", "proto": "https", "host": "a.example"},
        {"for": "[2001:db8::1]:80"},
        {"for": "10.0.0.1"},
    ]


@pytest.mark.parametrize(
    "value",
    [
        "for",
        "for=",
        "for=1.2.3.4,",
        ",for=1.2.3.4",
        "for=1.2.3.4;;proto=http",
        'for="unterminated',
        "for=1.2.3.4 proto=http",
        "for=1.2.3.4;for=5.6.7.8",
        "for=@bad",
    ],
)
def test_malformed_forwarded_is_an_error(value: str) -> None:
    with pytest.raises(ValueError):
        parse_forwarded_strict([value])


def test_x_forwarded_for() -> None:
    assert parse_x_forwarded_for(["203.0.113.7, 10.0.0.2", "[::1]:9000"]) == [
        "203.0.113.7",
        "10.0.0.2",
        "::1",
    ]
    for bad in ["1.2.3.4,,5.6.7.8", "nonsense", "unknown", "1.2.3.4, <script>", " "]:
        with pytest.raises(ValueError):
            parse_x_forwarded_for([bad])
    with pytest.raises(ValueError, match="too many"):
        parse_x_forwarded_for([", ".join(["10.0.0.1"] * (MAX_HOPS + 1))])


def test_x_forwarded_proto_and_host() -> None:
    assert parse_x_forwarded(["HTTPS, http"], "X-Forwarded-Proto") == ["https", "http"]
    assert parse_x_forwarded(["a.example:8443"], "X-Forwarded-Host") == ["a.example:8443"]
    with pytest.raises(ValueError):
        parse_x_forwarded(["gopher"], "X-Forwarded-Proto")
    with pytest.raises(ValueError):
        parse_x_forwarded(["a b"], "X-Forwarded-Host")
