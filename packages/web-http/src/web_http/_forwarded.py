"""The Forwarded header (RFC 7239) as aiohttp's ``request.forwarded`` presents it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ._quoting import read_quoted_string

__all__ = ("parse_forwarded",)

_PAIR_RE = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=")
_TOKEN_VALUE_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Unquoted values are tokens, but "[::1]:80"-style nodes are sent unquoted by some
# proxies; accept a bracketed IPv6 literal with an optional port as aiohttp does.
_IPV6_VALUE_RE = re.compile(r"\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


def _parse_field(field: str, elems: list[Mapping[str, str]]) -> None:
    elem: dict[str, str] = {}
    elems.append(MappingProxyType(elem))
    n = len(field)
    pos = 0
    need_separator = False
    while 0 <= pos < n:
        ch = field[pos]
        if ch == ",":
            elem = {}
            elems.append(MappingProxyType(elem))
            need_separator = False
            pos += 1
        elif ch == ";":
            need_separator = False
            pos += 1
        elif ch in " \t":
            # RFC 7239 has no whitespace around pairs; senders add it anyway (Postel).
            pos += 1
        else:
            m = None if need_separator else _PAIR_RE.match(field, pos)
            if m is None:
                # Bad syntax: the rest of this forwarded-element is unusable.
                pos = field.find(",", pos)
                continue
            name = m.group(1).lower()
            vpos = m.end()
            value: str | None = None
            if vpos < n and field[vpos] == '"':
                quoted = read_quoted_string(field, vpos)
                if quoted is not None:
                    value, vpos = quoted
            else:
                vm = _IPV6_VALUE_RE.match(field, vpos) or _TOKEN_VALUE_RE.match(field, vpos)
                if vm is not None:
                    value, vpos = vm.group(0), vm.end()
            if value is None:
                pos = field.find(",", pos)
                continue
            # RFC 7239 4 forbids repeats in one element; like aiohttp, the last one wins.
            elem[name] = value
            pos = vpos
            need_separator = True


def parse_forwarded(values: str | Iterable[str] | None) -> tuple[Mapping[str, str], ...]:
    """Parse one or more Forwarded field values into one read-only mapping per element.

    Parameter names are lower-cased and quoted values unescaped. A malformed
    forwarded-element is kept (so indexes still line up with proxies) but holds only the
    pairs read before the error; parsing resumes at the next ``,``.
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    elems: list[Mapping[str, str]] = []
    for field in values:
        _parse_field(field, elems)
    return tuple(elems)
