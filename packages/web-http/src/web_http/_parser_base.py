"""The state machine shared by the request and response parsers.

Theory of operation: ``feed`` appends nothing when it can avoid it. If no bytes are left
over from the previous call, the new chunk is parsed in place; only an unfinished remainder
is copied into the bytearray buffer. The state decides what the next bytes are:

    HEAD --(head complete)--> BODY_LENGTH | BODY_CHUNKED | BODY_EOF | back to HEAD
    BODY_* --(body complete)--> HEAD, or UPGRADED when the head asked for it
    any --(error)--> ERROR (everything after is refused)

The subclasses parse a head (``_parse_head``); the rest lives here. ``_run`` can start at
any offset, so a subclass may parse the first heads of a chunk itself (the request parser
does, on its fast path) and hand over the rest. Chunked body pieces come back from the
reader as views into the input and leave as one ``Data`` per feed (one copy).
"""

from __future__ import annotations

import enum

from multidict import CIMultiDictProxy

from ._abnf import VERSION_RE
from ._body import ChunkedReader
from ._decoders import ContentDecoder, make_decoder
from ._errors import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    HeaderFieldsTooLarge,
    HttpProcessingError,
    HttpVersionNotSupported,
    LineTooLong,
    TransferEncodingError,
)
from ._events import EMPTY_TRAILERS, END_OF_MESSAGE, Data, EndOfMessage, RequestHead, ResponseHead
from ._headers import find_bare_cr_lf
from ._limits import HttpLimits
from ._version import HttpVersion, HttpVersion10, HttpVersion11

__all__ = ("ParserState", "BaseParser", "Event", "Buffer", "parse_http_version")

Buffer = bytes | bytearray
Event = RequestHead | ResponseHead | Data | EndOfMessage | HttpProcessingError


_DEFAULT_LIMITS = HttpLimits()
#: Feeds this short may be a lone chunk-size line or CRLF (``ChunkedReader.take_framing``).
_MAX_FRAMING_FEED = 20


def parse_http_version(version_b: bytes, line: bytes) -> HttpVersion:
    """The version of a request or status line (``line``, for the error): 1.1 and 1.0 are
    served, another well-formed version is 505, anything else a bad line (400)."""
    if version_b == b"HTTP/1.1":
        return HttpVersion11
    if version_b == b"HTTP/1.0":
        return HttpVersion10
    if VERSION_RE.fullmatch(version_b) is not None:
        raise HttpVersionNotSupported(version_b.decode("ascii"))
    raise BadStatusLine(line.decode("latin-1"), "Invalid HTTP version")


class ParserState(enum.Enum):
    HEAD = enum.auto()
    BODY_LENGTH = enum.auto()
    BODY_CHUNKED = enum.auto()
    BODY_EOF = enum.auto()
    UPGRADED = enum.auto()
    ERROR = enum.auto()
    CLOSED = enum.auto()


_HEAD = ParserState.HEAD
_BODY_LENGTH = ParserState.BODY_LENGTH
_BODY_CHUNKED = ParserState.BODY_CHUNKED
_BODY_EOF = ParserState.BODY_EOF
_UPGRADED = ParserState.UPGRADED
_ERROR = ParserState.ERROR
_CLOSED = ParserState.CLOSED


class BaseParser:
    """Framing, body, decoding and upgrade handling common to both directions."""

    __slots__ = (
        "_auto_decompress",
        "_buf",
        "_chunked",
        "_decoder",
        "_field_start",
        "_limits",
        "_line_len",
        "_max_decompressed_size",
        "_max_heads",
        "_remaining",
        "_scanned",
        "_state",
        "_upgrade_after",
    )

    #: 414 for a request line, not meaningful for a status line (the client reports it).
    _line_too_long_code = 400
    _line_name = "status line"

    def __init__(
        self,
        limits: HttpLimits | None = None,
        auto_decompress: bool = True,
        max_decompressed_size: int | None = None,
        *,
        max_heads: int = 0,
    ) -> None:
        if max_heads < 0:
            raise ValueError("max_heads must be >= 0")
        self._max_heads = max_heads
        if max_decompressed_size is not None and max_decompressed_size < 0:
            raise ValueError("max_decompressed_size must be None or >= 0")
        self._limits = limits if limits is not None else _DEFAULT_LIMITS
        self._auto_decompress = auto_decompress
        self._max_decompressed_size = max_decompressed_size
        self._buf = bytearray()
        self._state = _HEAD
        self._remaining = 0
        self._chunked: ChunkedReader | None = None
        self._decoder: ContentDecoder | None = None
        self._upgrade_after = False
        self._reset_head_scan()

    def _reset_head_scan(self) -> None:
        # Offsets relative to the start of the unfinished head, so they survive the buffer
        # being compacted: how far the CRLFCRLF search got, where the first line ends, and
        # where the current (unfinished) field line starts.
        self._scanned = 0
        self._line_len = -1
        self._field_start = 0

    @property
    def limits(self) -> HttpLimits:
        return self._limits

    @property
    def max_heads(self) -> int:
        """Heads one ``feed`` parses at most (0: no bound); the rest stays buffered.

        A server uses it to keep a pipelining client from making it parse thousands of
        heads ahead of serving them: ``feed(b"")`` parses the next batch.
        """
        return self._max_heads

    @max_heads.setter
    def max_heads(self, value: int) -> None:
        if value < 0:
            raise ValueError("max_heads must be >= 0")
        self._max_heads = value

    @property
    def buffered(self) -> int:
        """Bytes received but not parsed yet (an unfinished head, or heads held back)."""
        return len(self._buf)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse received bytes; returns the events they complete, in order."""
        state = self._state
        if (
            state is _BODY_LENGTH
            and type(data) is bytes
            and len(data) < self._remaining
            and self._decoder is None
        ):
            # A read inside a Content-Length body (a large upload's every read): all body.
            # (No bytes are ever buffered in this state: a body is consumed as it comes.)
            self._remaining -= len(data)
            return [Data(data)] if data else []
        if (
            state is _BODY_CHUNKED
            and type(data) is bytes
            and not self._buf
            and self._decoder is None
        ):
            reader = self._chunked
            assert reader is not None  # set with the state
            if reader.take_data(len(data)):
                # A read inside one chunk's data: all body, no framing in it.
                return [Data(data)] if data else []
            if len(data) <= _MAX_FRAMING_FEED and reader.take_framing(data):
                return []  # a size line or a CRLF sent on its own
        if state is _ERROR or state is _CLOSED:
            return []
        if state is _UPGRADED:
            return [Data(bytes(data))] if data else []
        buf = self._buf
        src: Buffer
        if buf:
            buf += data
            src = buf
        else:
            src = data if isinstance(data, bytes) else bytes(data)
        events: list[Event] = []
        try:
            pos = self._run(src, events)
        except HttpProcessingError as exc:
            self._state = _ERROR
            self._buf = bytearray()
            events.append(exc)
            return events
        if src is buf:
            del buf[:pos]
        elif pos < len(src):
            buf += src[pos:]
        return events

    def resume_http(self) -> None:
        """The upgrade of the last message was declined: what follows is HTTP again.

        Called by a server that answered an upgrade request without switching protocols;
        the bytes it received after that message must then be fed again.
        """
        self._upgrade_after = False
        if self._state is _UPGRADED:
            self._state = _HEAD

    def feed_eof(self) -> list[Event]:
        """The peer closed: an error event if a message was cut short, else nothing."""
        state = self._state
        self._state = _CLOSED
        events: list[Event] = []
        if state is _HEAD:
            if self._buf.strip(b"\r\n"):
                events.append(BadHttpMessage("Connection closed in the middle of a message head"))
        elif state is _BODY_LENGTH:
            events.append(ContentLengthError("Not enough data to satisfy content length"))
        elif state is _BODY_CHUNKED:
            events.append(TransferEncodingError("Not enough data to satisfy transfer length"))
        elif state is _BODY_EOF:
            try:
                self._end_message(events)
            except HttpProcessingError as exc:
                events.append(exc)
        self._buf = bytearray()
        return events

    def _run(self, src: Buffer, events: list[Event], pos: int = 0, heads: int = 0) -> int:
        end = len(src)
        max_heads = self._max_heads
        while pos < end:
            state = self._state
            if state is _HEAD:
                if heads == max_heads and max_heads:
                    break  # enough heads for this feed: the rest waits in the buffer
                pos, complete = self._parse_head(src, pos, events)
                if not complete:
                    break
                heads += 1
            elif state is _BODY_LENGTH:
                n = self._remaining
                if end - pos >= n:
                    self._emit(src[pos : pos + n] if pos or n != end else src, events)
                    pos += n
                    self._end_message(events)
                else:
                    self._emit(src[pos:] if pos else src, events)
                    self._remaining = n - (end - pos)
                    pos = end
            elif state is _BODY_CHUNKED:
                reader = self._chunked
                assert reader is not None  # set with the state
                pieces: list[memoryview] = []
                try:
                    pos, trailers = reader.feed(src, pos, pieces)
                finally:  # body read before a framing error still belongs to the message
                    if pieces:
                        # One Data event per feed: the pieces are views into ``src``, joined
                        # with a single copy (and released before ``src`` may be resized).
                        if len(pieces) > 1:
                            body = b"".join(pieces)
                        elif type(src) is bytes and pieces[0].nbytes == end:
                            body = src  # all of it is chunk data (a large chunk): no copy
                        else:
                            body = pieces[0].tobytes()
                        if type(src) is not bytes:  # views pin a bytearray's size: let go now
                            for view in pieces:
                                view.release()
                        pieces.clear()
                        self._emit(body, events)
                if trailers is None:
                    break
                self._end_message(events, trailers)
            elif state is _BODY_EOF:
                self._emit(src[pos:] if pos else src, events)
                pos = end
            else:  # upgraded in the middle of this chunk: the rest is not ours
                events.append(Data(bytes(src[pos:])))
                pos = end
        return pos

    def _emit(self, piece: Buffer, events: list[Event]) -> None:
        if not piece:
            return
        data = piece if isinstance(piece, bytes) else bytes(piece)
        decoder = self._decoder
        if decoder is None:
            events.append(Data(data))
        else:
            events.extend([Data(chunk) for chunk in decoder.decompress(data)])

    def _start_body(
        self,
        events: list[Event],
        chunked: bool,
        length: int | None,
        to_eof: bool,
        encoding: str | None,
        upgrade: bool,
    ) -> None:
        """After a head: pick the body state (or end the message when there is no body)."""
        self._upgrade_after = upgrade
        self._decoder = None
        if chunked:
            if self._chunked is None:
                self._chunked = ChunkedReader(self._limits)
            self._state = _BODY_CHUNKED
        elif length:
            self._remaining = length
            self._state = _BODY_LENGTH
        elif to_eof:
            self._state = _BODY_EOF
        else:
            self._end_message(events)
            return
        if self._auto_decompress and encoding is not None:
            self._decoder = make_decoder(encoding, self._max_decompressed_size)

    def _end_message(
        self, events: list[Event], trailers: CIMultiDictProxy[str] | None = None
    ) -> None:
        decoder = self._decoder
        if decoder is not None:
            self._decoder = None
            events.extend([Data(chunk) for chunk in decoder.flush()])
        events.append(
            END_OF_MESSAGE
            if trailers is None or trailers is EMPTY_TRAILERS
            else EndOfMessage(trailers)
        )
        self._state = _UPGRADED if self._upgrade_after else _HEAD
        if self._scanned:
            self._reset_head_scan()

    def _find_head_end(self, src: Buffer, pos: int) -> int:
        """Index of the CRLFCRLF ending the head at ``pos``, or -1 after limit checks."""
        limits = self._limits
        scanned = self._scanned
        i = src.find(b"\r\n\r\n", pos + scanned - 3 if scanned > 3 else pos)
        if i >= 0:
            return i
        end = len(src)
        avail = end - pos
        start = pos + scanned - 1 if scanned else pos
        if find_bare_cr_lf(src, start, pos):
            raise BadHttpMessage("Bare CR or LF in message head")
        line_len = self._line_len
        if line_len < 0:
            j = src.find(b"\r\n", start)
            if j < 0:
                if avail > limits.max_line_size:
                    raise LineTooLong(
                        self._line_name, limits.max_line_size, avail, code=self._line_too_long_code
                    )
                self._scanned = avail
                return -1
            line_len = self._line_len = j - pos
            self._field_start = line_len + 2
            if line_len > limits.max_line_size:
                raise LineTooLong(
                    self._line_name, limits.max_line_size, line_len, code=self._line_too_long_code
                )
        if avail - line_len - 2 > limits.max_headers:
            raise HeaderFieldsTooLarge("Header section too large", limits.max_headers)
        k = src.rfind(b"\r\n", pos + max(self._field_start, scanned - 1), end)
        if k >= 0:
            self._field_start = k + 2 - pos
        if end - pos - self._field_start > limits.max_field_size:
            raise LineTooLong("header field", limits.max_field_size, code=431)
        self._scanned = avail
        return -1

    def _parse_head(self, src: Buffer, pos: int, events: list[Event]) -> tuple[int, bool]:
        raise NotImplementedError  # pragma: no cover - subclasses define it
