"""web-app's router: web-routing's dispatcher answering misses with HTTP exceptions.

Also home of the default *expect handler*, the one a route without its own
``expect_handler`` uses when a request carries an ``Expect`` header.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

import web_routing
from web_http import HttpVersion11, hdrs

from ._exceptions import HTTPExpectationFailed, HTTPMethodNotAllowed, HTTPNotFound

if TYPE_CHECKING:
    from ._base_request import BaseRequest

__all__ = ("UrlDispatcher", "default_expect_handler")

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class UrlDispatcher(web_routing.UrlDispatcher):
    """The router every :class:`Application` gets by default.

    A miss resolves to a match info whose ``http_exception`` is a real
    response: ``HTTPNotFound`` (404) or ``HTTPMethodNotAllowed`` (405, with
    the ``Allow`` header of the methods the path accepts).
    """

    def make_http_exception(self, status: int, method: str, allowed_methods: Set[str]) -> Exception:
        if status == 405:
            return HTTPMethodNotAllowed(method, allowed_methods)
        return HTTPNotFound()


async def default_expect_handler(request: BaseRequest) -> None:
    """Answer ``Expect: 100-continue`` with an interim ``100 Continue``.

    Only HTTP/1.1 knows interim responses; any other expectation cannot be
    met and is refused with 417.  The interim response goes out through the
    writer before the response head, so it does not count as body output.
    """
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version != HttpVersion11:
        return
    if expect.lower() == "100-continue":
        writer = request.writer
        await writer.write(_CONTINUE)
        # the 100 line is not part of the response: keep %b of the access log exact
        writer.output_size = 0
        return
    raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
