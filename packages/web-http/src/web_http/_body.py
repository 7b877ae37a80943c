"""Chunked transfer-coding decoder (RFC 9112 section 7.1), incremental and bounded."""

from __future__ import annotations

import enum
import functools
import re
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import CHUNK_LINE_RE
from ._errors import BadHttpMessage, HeaderFieldsTooLarge, TransferEncodingError
from ._events import EMPTY_TRAILERS
from ._headers import Specials, check_head_bytes, find_bare_cr_lf, parse_fields
from ._limits import HttpLimits

__all__ = ("ChunkedReader",)

Buffer = bytes | bytearray


class _State(enum.Enum):
    SIZE = enum.auto()
    DATA = enum.auto()
    DATA_CRLF = enum.auto()
    TRAILERS = enum.auto()


_SIZE = _State.SIZE
_DATA = _State.DATA
_DATA_CRLF = _State.DATA_CRLF
_TRAILERS = _State.TRAILERS

# A chunk-size line without extensions (the usual one): a cheaper check than CHUNK_LINE_RE.
_HEX_RE: Final = re.compile(rb"[0-9A-Fa-f]+")


@functools.cache
def _size_line_re(max_digits: int) -> re.Pattern[bytes]:
    """The usual chunk-size line, digits and CRLF, matched in one call (one per digit limit)."""
    return re.compile(rb"([0-9A-Fa-f]{1,%d})\r\n" % max_digits)


class ChunkedReader:
    """Turns chunked framing into body pieces; returns the trailers once the body is done.

    ``feed(buf, pos, out)`` consumes what it can from ``buf[pos:]``, appends body pieces to
    ``out`` and returns ``(new_pos, trailers_or_None)``. It never scans a byte twice more
    than a few times: chunk-size lines are bounded, and the trailer search remembers where
    it stopped.
    """

    __slots__ = (
        "_limits",
        "_match_size",
        "_max_digits",
        "_max_line",
        "_remaining",
        "_scanned",
        "_state",
    )

    def __init__(self, limits: HttpLimits) -> None:
        self._limits = limits
        self._state = _SIZE
        self._remaining = 0
        self._scanned = 0
        # chunk-size digits, extensions and some slack for whitespace around ";" and "="
        self._max_line = limits.max_chunk_size_digits + limits.max_chunk_extension_size
        self._max_digits = limits.max_chunk_size_digits
        self._match_size = _size_line_re(limits.max_chunk_size_digits).match

    def take_data(self, n: int) -> bool:
        """Count ``n`` received bytes as data of the current chunk, if they all are.

        True for a read inside a large chunk's data, or a chunk's data sent apart from its
        framing: the caller passes the bytes on as they are, with no scan and no copy.
        False (nothing changed): they need ``feed``.
        """
        if self._state is not _DATA or n > self._remaining:
            return False
        self._remaining -= n
        if not self._remaining:
            self._state = _DATA_CRLF
        return True

    def take_framing(self, data: bytes) -> bool:
        """Consume ``data`` if it is exactly one piece of framing and nothing else.

        That is the CRLF after a chunk's data, or the plain size line of a chunk whose data
        is still to come (how a server that writes each chunk's data apart from its framing
        is read): the same checks as ``feed``, without its set-up. False (nothing changed)
        for anything else, the last chunk included.
        """
        state = self._state
        if state is _DATA_CRLF:
            if data != b"\r\n":
                return False
            self._state = _SIZE
            return True
        if state is not _SIZE:
            return False
        m = self._match_size(data)
        if m is None or m.end() != len(data):
            return False
        size = int(m[1], 16)
        if not size:
            return False
        self._remaining = size
        self._state = _DATA
        return True

    def feed(
        self, buf: Buffer, pos: int, out: list[memoryview]
    ) -> tuple[int, CIMultiDictProxy[str] | None]:
        """Consume ``buf[pos:]``; body pieces go to ``out`` as views into ``buf``.

        The caller joins the views (one copy for the whole feed) and releases them before
        ``buf`` may be resized.
        """
        end = len(buf)
        state = self._state
        max_line = self._max_line
        max_digits = self._max_digits
        match_size = self._match_size
        view = memoryview(buf)
        try:
            while pos < end:
                if state is _SIZE:
                    m = match_size(buf, pos)
                    if m is not None:  # the common line: bare hex digits, no extensions
                        size = int(m[1], 16)
                        pos = m.end()
                        if size:
                            stop = pos + size
                            if stop + 2 <= end:
                                # The usual case: the whole chunk and its CRLF are here. The
                                # data goes out before a bad CRLF is reported (as below).
                                out.append(view[pos:stop])
                                # Clients mostly send chunks of one size: while CRLF and the
                                # same size line follow, and that whole chunk is here too,
                                # one startswith() replaces the match, the int() and the
                                # CRLF check.
                                sep = b"\r\n" + m[0]
                                step = len(sep) + size
                                while stop + step + 2 <= end and buf.startswith(sep, stop):
                                    out.append(view[stop + step - size : stop + step])
                                    stop += step
                                if buf[stop] != 13 or buf[stop + 1] != 10:
                                    raise TransferEncodingError("Missing CRLF after chunk data")
                                pos = stop + 2
                            else:
                                self._remaining = size
                                state = _DATA
                            continue
                        state = _TRAILERS
                        self._scanned = 0
                        continue
                    i = buf.find(b"\r\n", pos, pos + max_line + 2)
                    if i < 0:
                        if end - pos > max_line + 1:
                            raise TransferEncodingError("Chunk size line too long")
                        if buf.find(b"\n", pos) >= 0:
                            raise TransferEncodingError("Bare LF in chunk size line")
                        break
                    if i - pos <= max_digits and _HEX_RE.fullmatch(buf, pos, i):
                        # the common line: bare hex digits, no extensions
                        size = int(buf[pos:i], 16)
                    else:
                        size = self._size_line(buf, pos, i)
                    pos = i + 2
                    if not size:
                        state = _TRAILERS
                        self._scanned = 0
                        continue
                    stop = pos + size
                    if stop + 2 <= end:
                        # The usual case: the whole chunk and its CRLF are here. The data
                        # goes out before a bad CRLF is reported, as on the slow path.
                        out.append(view[pos:stop])
                        if buf[stop] != 13 or buf[stop + 1] != 10:
                            raise TransferEncodingError("Missing CRLF after chunk data")
                        pos = stop + 2
                        continue
                    self._remaining = size
                    state = _DATA
                elif state is _DATA:
                    n = self._remaining
                    if end - pos >= n:
                        out.append(view[pos : pos + n])
                        pos += n
                        state = _DATA_CRLF
                    else:
                        out.append(view[pos:end])
                        self._remaining = n - (end - pos)
                        pos = end
                elif state is _DATA_CRLF:
                    if buf[pos] != 13:  # "\r"
                        raise TransferEncodingError("Missing CRLF after chunk data")
                    if end - pos < 2:
                        break
                    if buf[pos + 1] != 10:  # "\n"
                        raise TransferEncodingError("Missing CRLF after chunk data")
                    pos += 2
                    state = _SIZE
                else:
                    self._state = state
                    return self._trailers(buf, pos)
        finally:
            view.release()
        self._state = state
        return pos, None

    def _size_line(self, buf: Buffer, pos: int, i: int) -> int:
        m = CHUNK_LINE_RE.fullmatch(buf, pos, i)
        if m is None:
            raise TransferEncodingError("Invalid chunk size line")
        digits = m.group(1)
        if len(digits) > self._limits.max_chunk_size_digits:
            raise TransferEncodingError("Chunk size too large")
        if m.end(2) - m.start(2) > self._limits.max_chunk_extension_size:
            raise TransferEncodingError("Chunk extension too long")
        return int(digits, 16)

    def _trailers(self, buf: Buffer, pos: int) -> tuple[int, CIMultiDictProxy[str] | None]:
        end = len(buf)
        if buf[pos] == 13:  # no trailer fields: the last-chunk's CRLF then CRLF
            if end - pos < 2:
                return pos, None
            if buf[pos + 1] != 10:
                raise TransferEncodingError("Bare CR after last chunk")
            self._state = _SIZE
            return pos + 2, EMPTY_TRAILERS
        limit = self._limits.max_headers
        i = buf.find(b"\r\n\r\n", max(pos, pos + self._scanned - 3), pos + limit + 4)
        if i < 0:
            if end - pos > limit + 3:
                raise HeaderFieldsTooLarge("Trailer section too large", limit)
            if find_bare_cr_lf(buf, max(pos, pos + self._scanned - 1)):
                raise TransferEncodingError("Bare CR or LF in trailer section")
            self._scanned = end - pos
            return pos, None
        block = bytes(buf[pos:i])
        lines = block.split(b"\r\n")
        try:
            check_head_bytes(block, len(lines))
        except BadHttpMessage as exc:
            raise TransferEncodingError(f"Invalid trailer section: {exc}") from exc
        specials: Specials = []
        _raw, decoded = parse_fields(lines, self._limits, specials, len(block))
        self._state = _SIZE
        self._scanned = 0
        return i + 4, CIMultiDictProxy(CIMultiDict(decoded))
