"""Size limits applied by the parsers, with aiohttp's defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ("HttpLimits",)


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Bounds that keep a hostile peer from making the parser buffer without end.

    Every field has a reason:

    - ``max_line_size`` (8190, as aiohttp): the longest request line or status line. A
      request-target beyond it is answered 414 URI Too Long.
    - ``max_field_size`` (8190, as aiohttp): the longest single header field line
      (name, colon and value). Beyond it: 431.
    - ``max_headers`` (32768): aiohttp documents it as the "maximum header size"; here it
      bounds the total bytes of the header section (and of a trailer section). Beyond: 431.
    - ``max_header_count`` (256): a field count bound, so many tiny fields cannot blow up the
      multidict either. Beyond: 431.
    - ``max_chunk_size_digits`` (16): hex digits of a chunk size; 16 hex digits already
      reach 2**64, anything longer is an attack on integer parsing.
    - ``max_chunk_extension_size`` (4096): bytes of ``;ext=value`` after a chunk size, so a
      peer cannot stream an endless chunk line.

    The bound on the decoded size of a compressed body is a parser argument
    (``max_decompressed_size``), since the application sets it per server (client_max_size).
    """

    max_line_size: int = 8190
    max_field_size: int = 8190
    max_headers: int = 32768
    max_header_count: int = 256
    max_chunk_size_digits: int = 16
    max_chunk_extension_size: int = 4096

    def __post_init__(self) -> None:
        for name in (
            "max_line_size",
            "max_field_size",
            "max_headers",
            "max_header_count",
            "max_chunk_size_digits",
            "max_chunk_extension_size",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
