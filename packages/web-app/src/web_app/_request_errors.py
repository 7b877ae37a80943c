"""The HTTP errors a bad request raises (400, 413, 415), for modules below the responses.

A bad request target, Host header or body raises ``HTTPBadRequest``,
``HTTPRequestEntityTooLarge`` or ``HTTPUnsupportedMediaType``. Those are ``Response``
subclasses, and responses sit above requests in web-app's layers (a response is prepared
against the request it answers), so the request modules do not import them:
``web_app._exceptions`` installs its classes here when it is imported, which importing
``web_app`` always does before a request can exist.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ("RequestErrors", "errors", "install")


class RequestErrors:
    """How to build each HTTP error a request may raise."""

    __slots__ = ("bad_request", "too_large", "unsupported_media_type")

    def __init__(
        self,
        *,
        bad_request: Callable[[str], Exception],
        too_large: Callable[[int, int, str | None], Exception],
        unsupported_media_type: Callable[[str], Exception],
    ) -> None:
        #: ``bad_request(text)``: the 400.
        self.bad_request = bad_request
        #: ``too_large(max_size, actual_size, text)``: the 413, which also closes the
        #: connection (the rest of the body is left unread).
        self.too_large = too_large
        #: ``unsupported_media_type(text)``: the 415.
        self.unsupported_media_type = unsupported_media_type


#: Set by ``install`` (from ``web_app._exceptions``, at import).
errors: RequestErrors


def install(request_errors: RequestErrors) -> None:
    """Make ``errors`` build the exception classes of ``web_app._exceptions``."""
    global errors
    errors = request_errors
