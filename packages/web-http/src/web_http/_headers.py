"""Header-section parsing shared by the request and response parsers (and trailers).

A head is validated in bulk (one regex search for forbidden control bytes, CR/LF counts for
bare line terminators) and then split once; each field line only needs a cached name lookup,
a partition and a strip.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Final, NamedTuple

from ._abnf import BARE_CR_LF_RE, CONTENT_LENGTH_RE, HEAD_FORBIDDEN_RE, HOST_RE, TOKEN_RE
from ._errors import (
    BadHttpMessage,
    HeaderFieldsTooLarge,
    InvalidHeader,
    LineTooLong,
    UnsupportedTransferCoding,
)
from ._limits import HttpLimits

__all__ = (
    "K_OTHER",
    "K_CONTENT_LENGTH",
    "K_TRANSFER_ENCODING",
    "K_CONNECTION",
    "K_UPGRADE",
    "K_HOST",
    "K_CONTENT_ENCODING",
    "K_EXPECT",
    "FieldLine",
    "LINE_CACHE",
    "cached_field_lines",
    "check_field_limits",
    "check_head_bytes",
    "field_lines",
    "parse_fields",
    "parse_content_length",
    "parse_transfer_encoding",
    "token_set",
    "find_bare_cr_lf",
)

# Kinds of fields the parsers act on; everything else is K_OTHER and only stored.
K_OTHER: Final = 0
K_CONTENT_LENGTH: Final = 1
K_TRANSFER_ENCODING: Final = 2
K_CONNECTION: Final = 3
K_UPGRADE: Final = 4
K_HOST: Final = 5
K_CONTENT_ENCODING: Final = 6
K_EXPECT: Final = 7

_KINDS: Final[dict[bytes, int]] = {
    b"content-length": K_CONTENT_LENGTH,
    b"transfer-encoding": K_TRANSFER_ENCODING,
    b"connection": K_CONNECTION,
    b"upgrade": K_UPGRADE,
    b"host": K_HOST,
    b"content-encoding": K_CONTENT_ENCODING,
    b"expect": K_EXPECT,
}

# Validated field names: most clients send the same few dozen names over and over, so the
# token check and the ASCII decode happen once per distinct spelling. Bounded so a client
# inventing names cannot grow it without end.
_NAME_CACHE: dict[bytes, tuple[str, int]] = {}
_NAME_CACHE_MAX: Final = 2048

#: (kind, raw value) of the fields a parser acts on, in order of appearance.
Specials = list[tuple[int, bytes]]


class FieldLine(NamedTuple):
    """One validated field line, parsed once and shared by every head that repeats it.

    ``tokens`` holds the lower-case comma-separated tokens of a Connection or Upgrade line
    (empty for other kinds); ``host_ok`` says whether a Host line's value is a valid
    ``uri-host [":" port]``. Both are facts about the line alone, so caching them is safe.
    """

    raw: tuple[bytes, bytes]
    decoded: tuple[str, str]
    kind: int
    tokens: frozenset[bytes]
    host_ok: bool


# Clients repeat the same field lines request after request (Host, User-Agent, Accept...):
# a line seen before costs one dict lookup instead of a partition, a strip, a name check
# and a decode. Only lines from heads already checked for control bytes and bare CR/LF are
# stored, so a cached line is known to be free of them. Bounded in count and line length;
# when full it is emptied, so a client sending junk lines only costs itself the misses.
LINE_CACHE: dict[bytes, FieldLine] = {}
LINE_CACHE_MAX: Final = 4096
LINE_CACHEABLE: Final = 512
_EMPTY_TOKENS: Final[frozenset[bytes]] = frozenset()
_kind_of = itemgetter(2)


def _lookup_name(name: bytes) -> tuple[str, int]:
    if TOKEN_RE.fullmatch(name) is None:
        if name[:1] in (b" ", b"\t"):
            raise InvalidHeader(name, "Obsolete line folding is not allowed")
        if name[-1:] in (b" ", b"\t"):
            raise InvalidHeader(name, "Whitespace before the colon is not allowed")
        raise InvalidHeader(name)
    entry = (name.decode("ascii"), _KINDS.get(name.lower(), K_OTHER))
    if len(_NAME_CACHE) < _NAME_CACHE_MAX:
        _NAME_CACHE[name] = entry
    return entry


# Every byte allowed in a head except CR and LF: deleting these from a head leaves only its
# line terminators (and any forbidden byte), so one C-level ``translate`` validates it all.
_ALLOWED_NO_CRLF: Final = bytes(
    c for c in range(256) if not ((c < 0x20 and c != 0x09) or c == 0x7F)
)


def check_head_bytes(head: bytes, line_count: int) -> None:
    """Refuse control bytes and bare CR or LF in a head already split into ``line_count`` lines.

    A valid head holds only CRLF pairs between its lines: exactly ``line_count - 1`` of them.
    """
    if head.translate(None, _ALLOWED_NO_CRLF) != b"\r\n" * (line_count - 1):
        if HEAD_FORBIDDEN_RE.search(head) is not None:
            raise BadHttpMessage("Invalid control character in message head")
        raise BadHttpMessage("Bare CR or LF in message head")


def find_bare_cr_lf(buf: bytes | bytearray, start: int, floor: int = 0) -> bool:
    """Early check on an incomplete head, so a client using bare LF gets 400 at once.

    ``floor`` is where the head starts: an LF there is bare even when the byte before it,
    the end of the previous message, is a CR (the pattern's look-behind would see it).
    """
    if start == floor and floor and buf[floor] == 10:
        return True
    return BARE_CR_LF_RE.search(buf, start) is not None


def cached_field_lines(lines: list[bytes]) -> list[FieldLine] | None:
    """The parsed lines when every one was seen (and validated) before, else None."""
    try:
        return [*map(LINE_CACHE.__getitem__, lines)]
    except KeyError:
        return None


def check_field_limits(lines: list[bytes], limits: HttpLimits, total_size: int) -> None:
    """Field count and field size bounds (``total_size``: size of the whole section)."""
    if len(lines) > limits.max_header_count:
        raise HeaderFieldsTooLarge(
            f"Too many header fields (more than {limits.max_header_count})",
            limits.max_header_count,
        )
    max_field = limits.max_field_size
    if total_size > max_field:  # otherwise no single line can be over the limit
        for line in lines:
            if len(line) > max_field:
                raise LineTooLong("header field", max_field, len(line), code=431)


def _tokens(value: bytes) -> frozenset[bytes]:
    return frozenset(
        item.lower() for item in (part.strip(b" \t") for part in value.split(b",")) if item
    )


def _parse_line(line: bytes) -> FieldLine:
    name, sep, value = line.partition(b":")
    if not sep:
        raise InvalidHeader(line, "Header field line without a colon")
    entry = _NAME_CACHE.get(name)
    if entry is None:
        entry = _lookup_name(name)
    value = value.strip(b" \t")
    kind = entry[1]
    parsed = FieldLine(
        (name, value),
        (entry[0], value.decode("utf-8", "surrogateescape")),
        kind,
        _tokens(value) if kind in (K_CONNECTION, K_UPGRADE) else _EMPTY_TOKENS,
        kind == K_HOST and HOST_RE.fullmatch(value) is not None,
    )
    if len(line) <= LINE_CACHEABLE:
        if len(LINE_CACHE) >= LINE_CACHE_MAX:
            LINE_CACHE.clear()
        LINE_CACHE[line] = parsed
    return parsed


def field_lines(lines: list[bytes]) -> list[FieldLine]:
    """Parse field lines (already free of CR, LF and controls, limits checked), in order.

    The first invalid line raises its specific error.
    """
    get = LINE_CACHE.get
    return [get(line) or _parse_line(line) for line in lines]


def parse_fields(
    lines: list[bytes],
    limits: HttpLimits,
    specials: Specials,
    total_size: int,
) -> tuple[tuple[tuple[bytes, bytes], ...], list[tuple[str, str]]]:
    """Parse field lines (already free of CR, LF and controls) into raw and decoded pairs.

    The fields a parser acts on are appended to ``specials``; ``total_size`` is the size of
    the section (its total bounds every line, which usually spares the per-line checks).
    """
    check_field_limits(lines, limits, total_size)
    if not lines:
        return (), []
    parsed = cached_field_lines(lines)
    if parsed is None:
        parsed = field_lines(lines)
    raw, decoded, _kinds, _token_sets, _hosts = zip(*parsed)  # noqa: B905 (fixed-length rows)
    specials.extend([(f.kind, f.raw[1]) for f in filter(_kind_of, parsed)])
    return raw, list(decoded)


def parse_content_length(values: list[bytes]) -> int:
    """RFC 9110 8.6: digits only; equal repeated values collapse, differing ones are an error."""
    result: int | None = None
    for value in values:
        for item in value.split(b","):
            item = item.strip(b" \t")
            if CONTENT_LENGTH_RE.fullmatch(item) is None:
                raise InvalidHeader("Content-Length", "Invalid Content-Length value")
            n = int(item)
            if result is None:
                result = n
            elif n != result:
                raise InvalidHeader("Content-Length", "Conflicting Content-Length values")
    if result is None:
        raise InvalidHeader("Content-Length", "Invalid Content-Length value")
    return result


def parse_transfer_encoding(values: list[bytes]) -> list[bytes]:
    """The transfer codings in order, lower case, empty list elements dropped."""
    codings: list[bytes] = []
    for value in values:
        for item in value.split(b","):
            item = item.strip(b" \t").lower()
            if item:
                codings.append(item)
    if not codings:
        raise InvalidHeader("Transfer-Encoding", "Empty Transfer-Encoding")
    return codings


def request_is_chunked(codings: list[bytes]) -> bool:
    """RFC 9112 6.1 for a request: only ``chunked``, once and last, is supported."""
    if codings[-1] != b"chunked":
        raise UnsupportedTransferCoding("Transfer-Encoding must end with chunked")
    if len(codings) > 1:
        if b"chunked" in codings[:-1]:
            raise BadHttpMessage("chunked applied more than once")
        raise UnsupportedTransferCoding("Unsupported transfer coding")
    return True


def token_set(values: list[bytes]) -> set[bytes]:
    """Comma-separated tokens of one or more fields, lower case (Connection, Upgrade)."""
    out: set[bytes] = set()
    for value in values:
        for item in value.split(b","):
            item = item.strip(b" \t")
            if item:
                out.add(item.lower())
    return out
