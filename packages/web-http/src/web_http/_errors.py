"""Typed parse errors: each carries the status code to answer and a short reason.

The class names are aiohttp's (``aiohttp.http_exceptions``) so code catching them keeps
working; the codes follow RFC 9110 status semantics (414 for a long request-target, 431 for
header fields, 501 for an unknown transfer coding, 505 for an unknown version). ``str(err)``
is the reason alone, short and safe to send to the client as a plain-text body.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = (
    "HttpProcessingError",
    "BadHttpMessage",
    "BadHttpMethod",
    "BadStatusLine",
    "LineTooLong",
    "InvalidHeader",
    "InvalidURLError",
    "TransferEncodingError",
    "ContentLengthError",
    "ContentEncodingError",
    "PayloadEncodingError",
    "UnsupportedTransferCoding",
    "HttpVersionNotSupported",
    "HeaderFieldsTooLarge",
    "PayloadTooLarge",
)


class HttpProcessingError(Exception):
    """Root of every HTTP processing error: ``code`` is the status to answer with."""

    code: int = 0
    message: str = ""

    def __init__(
        self,
        *,
        code: int | None = None,
        message: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.headers = headers
        self.message = message
        super().__init__(code, message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}: {self.code}, message={self.message!r}>"


class BadHttpMessage(HttpProcessingError):
    """The message breaks the HTTP/1.1 grammar or framing rules: 400."""

    code = 400
    message = "Bad Request"

    def __init__(
        self,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message=message, headers=headers, code=code)


class PayloadEncodingError(BadHttpMessage):
    """The body could not be read as its framing or coding says."""


class ContentEncodingError(PayloadEncodingError):
    """The body is not valid for its Content-Encoding (corrupt compressed data)."""


class TransferEncodingError(PayloadEncodingError):
    """The chunked framing of the body is malformed or was cut short."""


class ContentLengthError(PayloadEncodingError):
    """The body ended before its Content-Length, or Content-Length is invalid."""


class LineTooLong(BadHttpMessage):
    """A line exceeds its limit: 414 for a request line, 431 for a header field line."""

    def __init__(
        self,
        line: str,
        limit: int | str = "Unknown",
        actual_size: int | str = "Unknown",
        *,
        code: int = 431,
    ) -> None:
        super().__init__(f"Got more than {limit} bytes when reading {line}", code=code)
        self.line = line
        self.limit = limit
        self.actual_size = actual_size


class HeaderFieldsTooLarge(LineTooLong):
    """The header (or trailer) section is too large or has too many fields: 431."""

    def __init__(self, message: str, limit: int | str = "Unknown") -> None:
        super().__init__("header section", limit, code=431)
        self.message = message


class InvalidHeader(BadHttpMessage):
    """A header field is malformed (name, value or a framing field's content)."""

    def __init__(self, hdr: bytes | str, reason: str = "") -> None:
        hdr_s = hdr.decode("utf-8", "backslashreplace") if isinstance(hdr, bytes) else hdr
        super().__init__(reason or f"Invalid HTTP header: {hdr_s[:64]!r}")
        self.hdr = hdr_s


class BadStatusLine(BadHttpMessage):
    """The request line or status line is malformed."""

    def __init__(self, line: str = "", error: str | None = None) -> None:
        super().__init__(error or f"Bad status line {line[:64]!r}")
        self.line = line


class BadHttpMethod(BadStatusLine):
    """The method is not a token."""

    def __init__(self, line: str = "", error: str | None = None) -> None:
        super().__init__(line, error or f"Bad HTTP method in status line {line[:64]!r}")


class InvalidURLError(BadHttpMessage):
    """The request-target is not in a form this method allows."""


class UnsupportedTransferCoding(BadHttpMessage):
    """A transfer coding we do not implement, or chunked not last: 501."""

    def __init__(self, message: str = "Unsupported transfer coding") -> None:
        super().__init__(message, code=501)


class HttpVersionNotSupported(BadStatusLine):
    """A well-formed HTTP version other than 1.0 and 1.1: 505."""

    def __init__(self, version: str = "") -> None:
        super().__init__(version, f"HTTP version not supported: {version[:16]!r}")
        self.code = 505


class PayloadTooLarge(BadHttpMessage):
    """The (decoded) body exceeds its bound: 413."""

    def __init__(self, message: str = "Payload too large", limit: int | None = None) -> None:
        super().__init__(message, code=413)
        self.limit = limit
