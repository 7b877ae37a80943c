"""The HTTP exception classes: status codes, hierarchy, constructors, default bodies."""

from __future__ import annotations

from http import HTTPStatus

import pytest
import web_app._exceptions as exc_mod
from web_app._exceptions import (
    HTTPBadRequest,
    HTTPClientError,
    HTTPError,
    HTTPException,
    HTTPFound,
    HTTPMethodNotAllowed,
    HTTPMove,
    HTTPNoContent,
    HTTPNotFound,
    HTTPNotModified,
    HTTPOk,
    HTTPRedirection,
    HTTPRequestEntityTooLarge,
    HTTPResetContent,
    HTTPServerError,
    HTTPSuccessful,
    HTTPUnavailableForLegalReasons,
)
from web_app._response import Response
from yarl import URL

EXPECTED = {
    "HTTPOk": 200, "HTTPCreated": 201, "HTTPAccepted": 202,
    "HTTPNonAuthoritativeInformation": 203, "HTTPNoContent": 204, "HTTPResetContent": 205,
    "HTTPPartialContent": 206, "HTTPMultipleChoices": 300, "HTTPMovedPermanently": 301,
    "HTTPFound": 302, "HTTPSeeOther": 303, "HTTPNotModified": 304, "HTTPUseProxy": 305,
    "HTTPTemporaryRedirect": 307, "HTTPPermanentRedirect": 308, "HTTPBadRequest": 400,
    "HTTPUnauthorized": 401, "HTTPPaymentRequired": 402, "HTTPForbidden": 403,
    "HTTPNotFound": 404, "HTTPMethodNotAllowed": 405, "HTTPNotAcceptable": 406,
    "HTTPProxyAuthenticationRequired": 407, "HTTPRequestTimeout": 408, "HTTPConflict": 409,
    "HTTPGone": 410, "HTTPLengthRequired": 411, "HTTPPreconditionFailed": 412,
    "HTTPRequestEntityTooLarge": 413, "HTTPRequestURITooLong": 414,
    "HTTPUnsupportedMediaType": 415, "HTTPRequestRangeNotSatisfiable": 416,
    "HTTPExpectationFailed": 417, "HTTPMisdirectedRequest": 421,
    "HTTPUnprocessableEntity": 422, "HTTPFailedDependency": 424, "HTTPUpgradeRequired": 426,
    "HTTPPreconditionRequired": 428, "HTTPTooManyRequests": 429,
    "HTTPRequestHeaderFieldsTooLarge": 431, "HTTPUnavailableForLegalReasons": 451,
    "HTTPInternalServerError": 500, "HTTPNotImplemented": 501, "HTTPBadGateway": 502,
    "HTTPServiceUnavailable": 503, "HTTPGatewayTimeout": 504,
    "HTTPVersionNotSupported": 505, "HTTPVariantAlsoNegotiates": 506,
    "HTTPInsufficientStorage": 507, "HTTPNotExtended": 510,
    "HTTPNetworkAuthenticationRequired": 511,
}  # fmt: skip


@pytest.mark.parametrize(("name", "code"), sorted(EXPECTED.items()))
def test_status_codes_and_bases(name: str, code: int) -> None:
    cls = getattr(exc_mod, name)
    assert name in exc_mod.__all__
    assert cls.status_code == code
    assert issubclass(cls, HTTPException)
    base = {2: HTTPSuccessful, 3: HTTPRedirection, 4: HTTPClientError, 5: HTTPServerError}
    assert issubclass(cls, base[code // 100])
    if code >= 400:
        assert issubclass(cls, HTTPError)
    if 300 <= code < 400 and code != 304:
        assert issubclass(cls, HTTPMove)


def test_hierarchy_roots() -> None:
    assert issubclass(HTTPException, Response)
    assert issubclass(HTTPException, Exception)
    assert issubclass(HTTPClientError, HTTPError)
    assert issubclass(HTTPServerError, HTTPError)
    assert issubclass(HTTPMove, HTTPRedirection)
    assert not issubclass(HTTPNotModified, HTTPMove)


def test_default_body_and_reason() -> None:
    e = HTTPNotFound()
    assert e.status == 404
    assert e.reason == "Not Found"
    assert str(e) == "Not Found"
    assert e.text == "404: Not Found"
    assert e.content_type == "text/plain"
    assert e.charset == "utf-8"
    assert bool(e)


def test_default_body_next_to_given_headers() -> None:
    e = HTTPNotFound(headers={"X-A": "1"})
    assert e.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert e.body == b"404: Not Found"
    typed = HTTPNotFound(headers={"Content-Type": "text/html"})
    assert typed.headers["Content-Type"] == "text/html; charset=utf-8"
    assert typed.text == "404: Not Found"
    moved = HTTPFound("/new")
    assert moved.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert moved.text == "302: Found"


@pytest.mark.parametrize("cls", [HTTPNoContent, HTTPResetContent, HTTPNotModified])
def test_empty_body_statuses(cls: type[HTTPException]) -> None:
    e = cls()
    assert cls.empty_body
    assert e.body is None


def test_custom_constructor_arguments() -> None:
    e = HTTPBadRequest(
        reason="Bad Thing", text="details", headers={"X-A": "1"}, content_type="text/html"
    )
    assert e.reason == "Bad Thing"
    assert e.text == "details"
    assert e.headers["X-A"] == "1"
    assert e.content_type == "text/html"
    b = HTTPOk(body=b"raw")
    assert b.body == b"raw"


def test_reason_newline_rejected() -> None:
    with pytest.raises(ValueError):
        HTTPBadRequest(reason="a\r\nb")


def test_raise_and_catch() -> None:
    with pytest.raises(HTTPClientError) as info:
        raise HTTPNotFound(text="nope")
    assert info.value.status == 404


def test_abstract_classes_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        HTTPException()
    with pytest.raises(TypeError):
        HTTPClientError()


def test_user_subclass() -> None:
    class HTTPTeapot(HTTPClientError):
        status_code = 418

    e = HTTPTeapot()
    assert e.status == 418
    assert e.text == f"418: {HTTPStatus(418).phrase}"


def test_move_location() -> None:
    e = HTTPFound("/new")
    assert e.location == "/new"
    assert e.headers["Location"] == "/new"
    assert HTTPFound("/a b").headers["Location"] == "/a%20b"
    u = HTTPFound(URL("http://example.com/x"))
    assert u.headers["Location"] == "http://example.com/x"
    with pytest.raises(ValueError):
        HTTPFound("")
    with pytest.raises(ValueError):
        HTTPFound("/a\r\nSet-Cookie: x=1")


def test_method_not_allowed() -> None:
    e = HTTPMethodNotAllowed("get", ["POST", "PUT", "DELETE"])
    assert e.method == "GET"
    assert e.allowed_methods == {"POST", "PUT", "DELETE"}
    assert e.headers["Allow"] == "DELETE,POST,PUT"
    assert e.status == 405


def test_entity_too_large() -> None:
    e = HTTPRequestEntityTooLarge(max_size=10, actual_size=20)
    assert e.status == 413
    assert e.text == "Maximum request body size 10 exceeded, actual body size 20"
    custom = HTTPRequestEntityTooLarge(10, 20, text="too big")
    assert custom.text == "too big"


def test_unavailable_for_legal_reasons() -> None:
    e = HTTPUnavailableForLegalReasons("https://authority.example/why")
    assert e.link == URL("https://authority.example/why")
    assert e.headers["Link"] == '<https://authority.example/why>; rel="blocked-by"'
    n = HTTPUnavailableForLegalReasons(None)
    assert n.link is None and "Link" not in n.headers


_BARE = sorted(
    name
    for name, _ in EXPECTED.items()
    if not issubclass(getattr(exc_mod, name), HTTPMove)
    and name
    not in ("HTTPMethodNotAllowed", "HTTPRequestEntityTooLarge", "HTTPUnavailableForLegalReasons")
)


@pytest.mark.parametrize("name", _BARE)
def test_a_bare_exception_is_what_the_general_construction_gives(name: str) -> None:
    cls: type[HTTPException] = getattr(exc_mod, name)
    bare = cls()
    general = cls(headers={})  # given headers: the way of any other argument
    assert (bare.status, bare.reason, str(bare), bare.args) == (
        general.status,
        general.reason,
        str(general),
        general.args,
    )
    assert bare.body == general.body
    assert (bare.content_type, bare.charset) == (general.content_type, general.charset)
    assert dict(bare.headers) == dict(general.headers)


def test_a_status_code_out_of_range_is_refused() -> None:
    class Huge(HTTPClientError):
        status_code = 1000

    with pytest.raises(ValueError):
        Huge()


def test_locations_are_remembered_normalised_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exc_mod, "_LOCATIONS", {})
    cold = HTTPFound("/a b/../c")
    warm = HTTPFound("/a b/../c")
    assert cold.headers["Location"] == warm.headers["Location"] == str(URL("/a b/../c"))
    assert warm.location == "/a b/../c"
    for i in range(exc_mod._LOCATIONS_MAX + 10):
        HTTPFound(f"/p{i}")
    assert len(exc_mod._LOCATIONS) <= exc_mod._LOCATIONS_MAX
    with pytest.raises(ValueError):
        HTTPFound("/a\r\nSet-Cookie: x=1")  # never remembered: refused every time
    with pytest.raises(ValueError):
        HTTPFound("/a\r\nSet-Cookie: x=1")
