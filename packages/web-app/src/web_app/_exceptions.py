"""The HTTP exception hierarchy: raise one from a handler to answer with its status.

Each class is also a ``Response`` (as in aiohttp 3.x), so a raised exception is sent as is:
status from the class's ``status_code``, reason from the standard phrase, and a plain-text
body ``"<status>: <reason>"`` unless a body or text is given (none for 204, 205 and 304).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Final

from web_http import reason_phrase
from yarl import URL

from . import _request_errors
from ._response import Response
from ._response_headers import LooseHeaders

__all__ = (
    "HTTPException",
    "HTTPError",
    "HTTPRedirection",
    "HTTPSuccessful",
    "HTTPClientError",
    "HTTPServerError",
    "HTTPMove",
    "HTTPOk",
    "HTTPCreated",
    "HTTPAccepted",
    "HTTPNonAuthoritativeInformation",
    "HTTPNoContent",
    "HTTPResetContent",
    "HTTPPartialContent",
    "HTTPMultipleChoices",
    "HTTPMovedPermanently",
    "HTTPFound",
    "HTTPSeeOther",
    "HTTPNotModified",
    "HTTPUseProxy",
    "HTTPTemporaryRedirect",
    "HTTPPermanentRedirect",
    "HTTPBadRequest",
    "HTTPUnauthorized",
    "HTTPPaymentRequired",
    "HTTPForbidden",
    "HTTPNotFound",
    "HTTPMethodNotAllowed",
    "HTTPNotAcceptable",
    "HTTPProxyAuthenticationRequired",
    "HTTPRequestTimeout",
    "HTTPConflict",
    "HTTPGone",
    "HTTPLengthRequired",
    "HTTPPreconditionFailed",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestURITooLong",
    "HTTPUnsupportedMediaType",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPExpectationFailed",
    "HTTPMisdirectedRequest",
    "HTTPUnprocessableEntity",
    "HTTPFailedDependency",
    "HTTPUpgradeRequired",
    "HTTPPreconditionRequired",
    "HTTPTooManyRequests",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPUnavailableForLegalReasons",
    "HTTPInternalServerError",
    "HTTPNotImplemented",
    "HTTPBadGateway",
    "HTTPServiceUnavailable",
    "HTTPGatewayTimeout",
    "HTTPVersionNotSupported",
    "HTTPVariantAlsoNegotiates",
    "HTTPInsufficientStorage",
    "HTTPNotExtended",
    "HTTPNetworkAuthenticationRequired",
)

_Headers = LooseHeaders | None


def _check_header_value(what: str, value: str) -> str:
    # Refused here rather than at prepare(): the traceback then points at the raise.
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValueError(f"{what} cannot contain CR, LF or NUL: {value!r}")
    return value


#: Location values of redirects raised before (the few targets an application redirects to,
#: normalised by yarl each time otherwise). Bounded: emptied when full.
_LOCATIONS: dict[str, str] = {}
_LOCATIONS_MAX: Final = 256


def _location_value(location: str | URL) -> str:
    """The ``Location`` field of a redirect to ``location``, normalised as aiohttp does
    ("/a b" is sent as "/a%20b"); ``ValueError`` for CR, LF or NUL in it."""
    plain = type(location) is str
    if plain:
        known = _LOCATIONS.get(location)  # type: ignore[arg-type]  # a str, as just checked
        if known is not None:
            return known
    _check_header_value("Location", str(location))
    value = str(URL(location))
    if plain:
        if len(_LOCATIONS) >= _LOCATIONS_MAX:
            _LOCATIONS.clear()
        _LOCATIONS[location] = value  # type: ignore[index]  # a str, as checked above
    return value


class HTTPException(Response, Exception):
    """Base of every HTTP exception; subclasses set ``status_code``."""

    status_code = -1
    #: True for statuses that never carry a body (204, 205, 304): no default text.
    empty_body = False

    __http_exception__ = True

    def __init__(
        self,
        *,
        headers: _Headers = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        status = self.status_code
        if status < 100:
            raise TypeError(f"{type(self).__name__} has no status_code: raise a concrete subclass")
        if (
            headers is None
            and reason is None
            and body is None
            and text is None
            and content_type is None
            and status <= 999
        ):
            # A bare ``raise HTTPNotFound()`` (the router builds one per miss): what the
            # general way below ends with, without Response.__init__'s checks of arguments
            # that are all absent.
            self._status = status
            self._reason = reason = reason_phrase(status)
            Exception.__init__(self, reason)
            if not self.empty_body:
                self._ctype = "text/plain; charset=utf-8"
                self._body = f"{status}: {reason}".encode()
            return
        if body is not None:
            warnings.warn(
                "body argument is deprecated for http web exceptions",
                DeprecationWarning,
                stacklevel=2,
            )
        Response.__init__(
            self,
            status=self.status_code,
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        Exception.__init__(self, self.reason)
        if self._body is None and not self.empty_body:
            text = f"{self._status}: {self._reason}"
            if self._payload is None and self._raw_content_type() is None:
                # What the text setter ends with here, without parsing the type four times
                # (a 404 builds one of these per request).
                self._write_content_type("text/plain", {"charset": "utf-8"})
                self._body = text.encode("utf-8")
            else:
                self.text = text

    def __str__(self) -> str:
        return self.reason

    def __bool__(self) -> bool:
        return True


class HTTPError(HTTPException):
    """Base class for 4xx and 5xx answers."""


class HTTPRedirection(HTTPException):
    """Base class for 3xx answers."""


class HTTPSuccessful(HTTPException):
    """Base class for 2xx answers."""


class HTTPClientError(HTTPError):
    """Base class for 4xx answers."""


class HTTPServerError(HTTPError):
    """Base class for 5xx answers."""


class HTTPMove(HTTPRedirection):
    """A redirection carrying a ``Location`` header."""

    def __init__(
        self,
        location: str | URL,
        *,
        headers: _Headers = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if not location:
            raise ValueError("HTTP redirects need a location to redirect to.")
        location_str = _location_value(location)
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self.headers["Location"] = location_str
        self.location = location


class HTTPOk(HTTPSuccessful):
    status_code = 200


class HTTPCreated(HTTPSuccessful):
    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    status_code = 206


class HTTPMultipleChoices(HTTPMove):
    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    status_code = 301


class HTTPFound(HTTPMove):
    status_code = 302


class HTTPSeeOther(HTTPMove):
    status_code = 303


class HTTPNotModified(HTTPRedirection):
    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    status_code = 308


class HTTPBadRequest(HTTPClientError):
    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    status_code = 402


class HTTPForbidden(HTTPClientError):
    status_code = 403


class HTTPNotFound(HTTPClientError):
    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405: the path exists but not for this method; ``Allow`` lists the methods that do."""

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: _Headers = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        allowed = set(allowed_methods)
        allow = ",".join(sorted(allowed))
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self.headers["Allow"] = _check_header_value("Allow", allow)
        self.allowed_methods: set[str] = allowed
        self.method = method.upper()


class HTTPNotAcceptable(HTTPClientError):
    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    status_code = 408


class HTTPConflict(HTTPClientError):
    status_code = 409


class HTTPGone(HTTPClientError):
    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413: the body is larger than the server accepts (``client_max_size``)."""

    status_code = 413

    def __init__(
        self,
        max_size: int | float,
        actual_size: int | float = 0,
        *,
        headers: _Headers = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if text is None and body is None:
            text = f"Maximum request body size {max_size} exceeded, actual body size {actual_size}"
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self.max_size = max_size
        self.actual_size = actual_size


class HTTPRequestURITooLong(HTTPClientError):
    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    status_code = 417


class HTTPMisdirectedRequest(HTTPClientError):
    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    status_code = 422


class HTTPFailedDependency(HTTPClientError):
    status_code = 424


class HTTPUpgradeRequired(HTTPClientError):
    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451: blocked for legal reasons; ``link`` names the blocking authority (``Link``)."""

    status_code = 451

    def __init__(
        self,
        link: str | URL | None,
        *,
        headers: _Headers = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self._link: URL | None = None
        if link:
            self._link = URL(link)
            value = _check_header_value("Link", str(self._link))
            self.headers["Link"] = f'<{value}>; rel="blocked-by"'

    @property
    def link(self) -> URL | None:
        return self._link


class HTTPInternalServerError(HTTPServerError):
    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    status_code = 501


class HTTPBadGateway(HTTPServerError):
    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    status_code = 507


class HTTPNotExtended(HTTPServerError):
    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    status_code = 511


def _too_large(max_size: int, actual_size: int, text: str | None) -> HTTPRequestEntityTooLarge:
    exc = HTTPRequestEntityTooLarge(max_size=max_size, actual_size=actual_size, text=text)
    exc.force_close()
    return exc


# The request modules sit below the responses and raise these through _request_errors.
_request_errors.install(
    _request_errors.RequestErrors(
        bad_request=lambda text: HTTPBadRequest(text=text),
        too_large=_too_large,
        unsupported_media_type=lambda text: HTTPUnsupportedMediaType(text=text),
    )
)
