"""Accept-Encoding with q-values (RFC 9110 sections 12.4.2 and 12.5.3)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ("choose_encoding", "parse_accept_encoding")

_ITEM_RE = re.compile(
    r"[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*"
    r"(?:;[ \t]*[qQ][ \t]*=[ \t]*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)[ \t]*)?\Z",
    re.ASCII,
)


def parse_accept_encoding(value: str | None) -> tuple[tuple[str, float], ...]:
    """Parse an Accept-Encoding value into ``(coding, q)`` pairs in the order sent.

    Codings are lower-cased; a member without ``q`` has q=1.0. Members with a malformed
    q-value or other parameters are dropped (they cannot be honoured reliably); empty
    members are skipped.
    """
    if not value:
        return ()
    result: list[tuple[str, float]] = []
    for member in value.split(","):
        if not member.strip(" \t"):
            continue
        m = _ITEM_RE.match(member)
        if m is None:
            continue
        q = m.group(2)
        result.append((m.group(1).lower(), float(q) if q is not None else 1.0))
    return tuple(result)


def choose_encoding(value: str | None, available: Iterable[str]) -> str | None:
    """Pick the coding to use from ``available`` (the server's preference order).

    Each available coding gets the client's q for it, else the q of ``*``; ``identity``
    is acceptable unless refused explicitly (``identity;q=0`` or ``*;q=0`` without an
    ``identity`` entry). The highest q > 0 wins, ties going to the earlier available
    coding. With no header, or an empty one, only ``identity`` is acceptable (sending a
    coding the client did not ask for breaks real clients). Returns None when nothing in
    ``available`` is acceptable (the caller may answer 406 or send identity anyway).
    """
    accepted: dict[str, float] = {}
    for coding, q in parse_accept_encoding(value):
        # A repeated coding keeps its first q: later repeats are ambiguous.
        accepted.setdefault(coding, q)
    star = accepted.get("*")
    best: str | None = None
    best_q = 0.0
    for coding in available:
        key = coding.lower()
        explicit = accepted.get(key)
        if explicit is not None:
            q = explicit
        elif star is not None:
            q = star
        else:
            q = 1.0 if key == "identity" else 0.0
        if q > best_q:
            best, best_q = coding, q
    return best
