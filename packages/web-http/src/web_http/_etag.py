"""Entity tags (RFC 9110 section 8.8.3) and the If-Match / If-None-Match lists (13.1.1-2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ("ETAG_ANY", "ETag", "parse_etag_list", "validate_etag_value")

#: The ``*`` list member: matches any current representation.
ETAG_ANY = "*"

# etagc = "!" / %x23-7E / obs-text   (no DQUOTE, no SP, no controls)
_ETAGC = r"[!\x23-\x7e\x80-\U0010ffff]"
_ETAGC_RE = re.compile(_ETAGC + r"*\Z")
_LIST_ITEM_RE = re.compile(r'[ \t]*(W/)?"(' + _ETAGC + r'*)"[ \t]*(?:,|\Z)')


@dataclass(frozen=True, slots=True)
class ETag:
    """An entity tag: its opaque ``value`` (without quotes) and whether it is weak."""

    value: str
    is_weak: bool = False

    def __str__(self) -> str:
        quoted = f'"{self.value}"' if self.value != ETAG_ANY else ETAG_ANY
        return f"W/{quoted}" if self.is_weak else quoted


def validate_etag_value(value: str) -> None:
    """Raise ``ValueError`` unless ``value`` can be sent as an entity-tag's opaque part."""
    if value != ETAG_ANY and _ETAGC_RE.match(value) is None:
        raise ValueError(
            f"Value {value!r} is not a valid etag: it may not contain '\"', SP or controls"
        )


def parse_etag_list(value: str | None) -> tuple[ETag, ...]:
    """Parse an If-Match / If-None-Match field value.

    ``*`` alone gives ``(ETag("*"),)``. Otherwise a comma separated list of (weak or
    strong) quoted entity tags; empty list members are skipped (RFC 9110 5.6.1). Parsing
    stops at the first malformed member and keeps what came before it, as aiohttp does:
    a comparison against a partial list can only fail to match, never match wrongly.
    """
    if value is None:
        return ()
    stripped = value.strip(" \t")
    if stripped == ETAG_ANY:
        return (ETag(ETAG_ANY),)
    tags: list[ETag] = []
    pos = 0
    n = len(value)
    while pos < n:
        if value[pos] in " \t,":
            pos += 1
            continue
        m = _LIST_ITEM_RE.match(value, pos)
        if m is None:
            break
        tags.append(ETag(m.group(2), is_weak=m.group(1) is not None))
        pos = m.end()
    return tuple(tags)
