"""Strict readers of proxy headers (``Forwarded``, ``X-Forwarded-*``) for trusted-proxy logic.

``parse_forwarded`` is lenient on purpose (it mirrors aiohttp's ``request.forwarded``). A
server that rewrites the client address from these headers must not guess: every reader
here either returns the whole chain or raises ``ValueError``, and the caller answers 400.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Final

from ._quoting import read_quoted_string

__all__ = (
    "MAX_HOPS",
    "ProxyHop",
    "check_host",
    "parse_forwarded_strict",
    "parse_node",
    "parse_x_forwarded",
    "parse_x_forwarded_for",
)

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PAIR_NAME: Final = re.compile(r"[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=")
_OBFUSCATED: Final = re.compile(r"_[A-Za-z0-9._\-]+")
_PORT: Final = re.compile(r"[0-9]{1,5}|_[A-Za-z0-9._\-]+")
#: reg-name or IPv4 with an optional port, or a bracketed IPv6 literal with one.
_HOST: Final = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+=]+)(?::[0-9]{1,5})?")
#: Longest chain accepted: a real request crosses a handful of proxies.
MAX_HOPS: Final = 64

ProxyHop = dict[str, str]


def parse_node(value: str) -> str:
    """The address of an RFC 7239 node (``for=``/``by=``): an IP, ``unknown`` or ``_name``.

    Ports are checked and dropped (``"[2001:db8::1]:80"`` -> ``"2001:db8::1"``,
    ``1.2.3.4:80`` -> ``1.2.3.4``); anything else raises ``ValueError``.
    """
    value = value.strip(" \t")
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            raise ValueError(f"unclosed IPv6 literal: {value!r}")
        host, rest = value[1:end], value[end + 1 :]
        ipaddress.IPv6Address(host)
    elif value.count(":") > 1:  # a bare IPv6 address (X-Forwarded-For style)
        host, rest = value, ""
        ipaddress.IPv6Address(host)
    else:
        host, sep, port = value.partition(":")
        rest = sep + port
        if host.lower() == "unknown" or _OBFUSCATED.fullmatch(host):
            host = host.lower() if host.lower() == "unknown" else host
        else:
            ipaddress.IPv4Address(host)
    if rest and (rest[0] != ":" or not _PORT.fullmatch(rest[1:])):
        raise ValueError(f"bad port in node {value!r}")
    return host


def parse_forwarded_strict(values: Iterable[str]) -> list[ProxyHop]:
    """Every element of the ``Forwarded`` fields, first (client side) to last.

    Each element maps lower-cased parameter names to values (quoted strings unescaped).
    A syntax error anywhere, a repeated parameter in one element (RFC 7239 4), an empty
    element or more than :data:`MAX_HOPS` elements raises ``ValueError``.
    """
    hops: list[ProxyHop] = []
    for field in values:
        pos, n = 0, len(field)
        elem: ProxyHop = {}
        while True:
            m = _PAIR_NAME.match(field, pos)
            if m is None:
                raise ValueError(f"malformed Forwarded field: {field!r}")
            name = m.group(1).lower()
            pos = m.end()
            if pos < n and field[pos] == '"':
                quoted = read_quoted_string(field, pos)
                if quoted is None:
                    raise ValueError(f"malformed quoted string in Forwarded: {field!r}")
                value, pos = quoted
            else:
                tm = _TOKEN.match(field, pos)
                if tm is None:
                    raise ValueError(f"malformed Forwarded value: {field!r}")
                value, pos = tm.group(0), tm.end()
            if name in elem:
                raise ValueError(f"repeated {name!r} in one Forwarded element")
            elem[name] = value
            while pos < n and field[pos] in " \t":
                pos += 1
            if pos >= n:
                hops.append(elem)
                break
            sep = field[pos]
            pos += 1
            if sep == ",":
                hops.append(elem)
                elem = {}
            elif sep != ";":
                raise ValueError(f"malformed Forwarded field: {field!r}")
        if len(hops) > MAX_HOPS:
            raise ValueError("too many Forwarded elements")
    return hops


def _split_list(values: Iterable[str], what: str) -> list[str]:
    items: list[str] = []
    for field in values:
        for item in field.split(","):
            item = item.strip(" \t")
            if not item:
                raise ValueError(f"empty member in {what}")
            items.append(item)
    if len(items) > MAX_HOPS:
        raise ValueError(f"too many members in {what}")
    return items


def parse_x_forwarded_for(values: Iterable[str]) -> list[str]:
    """The addresses of ``X-Forwarded-For`` (client first), ports dropped; ``ValueError``
    on an empty member, a non-IP member or a chain longer than :data:`MAX_HOPS`."""
    out = []
    for item in _split_list(values, "X-Forwarded-For"):
        try:
            node = parse_node(item)
        except ValueError:
            node = "_"
        if node == "unknown" or node.startswith("_"):
            raise ValueError(f"X-Forwarded-For member is not an IP address: {item!r}")
        out.append(node)
    return out


def parse_x_forwarded(values: Iterable[str], what: str) -> list[str]:
    """``X-Forwarded-Proto`` (``http``/``https``) or ``X-Forwarded-Host`` members, checked."""
    items = _split_list(values, what)
    for item in items:
        if what.lower().endswith("proto"):
            if item.lower() not in ("http", "https"):
                raise ValueError(f"unknown scheme in {what}: {item!r}")
        elif not _HOST.fullmatch(item):
            raise ValueError(f"malformed host in {what}: {item!r}")
    return [item.lower() for item in items] if what.lower().endswith("proto") else items


def check_host(value: str) -> str:
    """A ``host=`` value as a Host header allows (``ValueError`` otherwise)."""
    if not _HOST.fullmatch(value):
        raise ValueError(f"malformed host: {value!r}")
    return value
