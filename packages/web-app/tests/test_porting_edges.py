"""Issue 19's edges in the object model: max_headers read both ways, Content-Length checks,
error pages chosen by Accept."""

from __future__ import annotations

from typing import Any

import pytest
from web_app import Response, StreamResponse
from web_app._error_page import error_response
from web_app._handler_config import FIELD_COUNT_BELOW, HandlerConfig, header_limits


def test_small_max_headers_is_a_field_count_as_in_aiohttp_3_14() -> None:
    limits = header_limits(8190, 8190, 128)
    assert limits.max_header_count == 128
    assert limits.max_headers == 32768  # the byte bound keeps its default


def test_large_max_headers_is_the_byte_bound() -> None:
    limits = HandlerConfig(max_headers=16384).limits
    assert limits.max_headers == 16384
    assert limits.max_header_count == 256
    assert header_limits(8190, 8190, FIELD_COUNT_BELOW).max_headers == FIELD_COUNT_BELOW


@pytest.mark.parametrize("bad", [0, -1])
def test_max_headers_must_be_positive(bad: int) -> None:
    with pytest.raises(ValueError, match="max_headers"):
        HandlerConfig(max_headers=bad)


@pytest.mark.parametrize(
    ("name", "bad"), [("max_line_size", 0), ("max_field_size", -5), ("max_line_size", 1.5)]
)
def test_bad_line_limits_are_refused_every_time(name: str, bad: Any) -> None:
    for _ in range(2):  # limits are shared between servers: a refused one is never kept
        with pytest.raises(ValueError, match=name):
            HandlerConfig(**{name: bad})


def test_servers_with_the_same_limits_share_them() -> None:
    first = HandlerConfig(max_line_size=4000, max_headers=100).limits
    again = HandlerConfig(max_line_size=4000, max_headers=100).limits
    assert again == first
    assert (again.max_line_size, again.max_header_count) == (4000, 100)
    assert HandlerConfig(max_line_size=4001, max_headers=100).limits.max_line_size == 4001


@pytest.mark.parametrize("value", ["abc", "-1", "1_0", " 5", "+5", "٣"])
def test_non_numeric_content_length_is_a_value_error(value: str) -> None:
    for resp in (
        StreamResponse(headers={"Content-Length": value}),
        Response(headers={"Content-Length": value}),
    ):
        with pytest.raises(ValueError, match="Content-Length"):
            _ = resp.content_length


def test_numeric_content_length_header_is_read() -> None:
    assert StreamResponse(headers={"Content-Length": "12"}).content_length == 12


def test_error_page_follows_accept() -> None:
    page = error_response(400, accept="text/html", message="<bad> & worse")
    assert page.content_type == "text/html"
    assert page.text is not None and "&lt;bad&gt; &amp; worse" in page.text
    text = error_response(400, accept="application/json", message="bad")
    assert (text.content_type, text.text) == ("text/plain", "400 Bad Request: bad\n")
    assert error_response(504, accept=None).text == "504 Gateway Timeout\n"
    assert error_response(500, accept=None).keep_alive is False
