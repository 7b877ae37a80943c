"""The warnings and error types porting code relies on, as aiohttp 3.14 raises them."""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable

import pytest
from web_app import (
    HTTPBadRequest,
    HTTPClientError,
    HTTPException,
    HTTPFound,
    HTTPNotFound,
    NotAppKeyWarning,
    Request,
    RequestKey,
    Response,
    ResponseKey,
    StreamResponse,
)
from web_http import ETag


def test_str_response_keys_warn_once_per_key() -> None:
    resp = Response()
    with pytest.warns(NotAppKeyWarning, match="web.ResponseKey"):
        resp["porting-response-key"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Response()["porting-response-key"] = 2  # already warned about
        resp[ResponseKey("typed", int)] = 3  # type: ignore[index]
    assert issubclass(NotAppKeyWarning, UserWarning)


async def test_str_request_keys_warn_once_per_key(make_request: Callable[..., Request]) -> None:
    from web_app import Application

    req = make_request(Application())
    with pytest.warns(NotAppKeyWarning, match="web.RequestKey"):
        req["porting-request-key"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        req["porting-request-key"] = 2
        req[RequestKey("typed", int)] = 3  # type: ignore[index]
    assert req["porting-request-key"] == 2


async def test_has_body_is_deprecated(make_request: Callable[..., Request]) -> None:
    from web_app import Application

    req = make_request(Application())
    with pytest.warns(DeprecationWarning, match="can_read_body"):
        assert req.has_body is False


def test_body_argument_of_exceptions_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="body argument is deprecated"):
        exc = HTTPBadRequest(body=b"raw")
    assert exc.body == b"raw"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert HTTPBadRequest(text="fine").text == "fine"


def test_exception_status_from_subclass_and_cause() -> None:
    class Teapot(HTTPClientError):
        status_code = 418

    class ApiError(HTTPException):
        def __init__(self, status: int, message: str) -> None:
            self.status_code = status
            super().__init__(text=message)

    assert (Teapot().status, Teapot().text) == (418, "418: I'm a Teapot")
    err = ApiError(409, "conflict")
    assert (err.status, err.reason, err.text) == (409, "Conflict", "conflict")
    try:
        try:
            raise KeyError("id")
        except KeyError as exc:
            raise HTTPNotFound() from exc
    except HTTPNotFound as exc:
        assert isinstance(exc.__cause__, KeyError)


@pytest.mark.parametrize("location", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\x00"])
def test_location_with_line_breaks_is_a_value_error(location: str) -> None:
    with pytest.raises(ValueError, match="Location"):
        HTTPFound(location)


def test_text_setter_type_error_is_also_an_assertion_error() -> None:
    resp = Response()
    with pytest.raises(TypeError):
        resp.text = b"bytes"  # type: ignore[assignment]
    with pytest.raises(AssertionError):  # what aiohttp raises
        resp.text = b"bytes"  # type: ignore[assignment]


async def test_write_eof_and_drain_before_prepare() -> None:
    resp = StreamResponse()
    for call in (resp.write_eof, resp.drain):
        with pytest.raises(RuntimeError, match="not been started"):
            await call()
        with pytest.raises(AssertionError):
            await call()


def test_etag_and_last_modified_inputs() -> None:
    resp = Response()
    resp.etag = ETag(value="v1", is_weak=True)
    assert resp.headers["ETag"] == 'W/"v1"'
    resp.etag = "v2"
    assert resp.etag == ETag(value="v2")
    with pytest.raises(ValueError):
        resp.etag = 'bad"quote'
    resp.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert resp.last_modified == datetime.datetime(
        2015, 10, 21, 7, 28, tzinfo=datetime.timezone.utc
    )
    with pytest.raises(TypeError):
        resp.last_modified = object()  # type: ignore[assignment]


USER_KEY = RequestKey("user", str)  # module level: named after this module, as in aiohttp
STARTED_KEY = ResponseKey("started", float)


def test_key_reprs_are_aiohttps() -> None:
    assert repr(USER_KEY) == f"<RequestKey({__name__}.user, type=str)>"
    assert repr(STARTED_KEY) == f"<ResponseKey({__name__}.started, type=float)>"
