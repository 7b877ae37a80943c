"""hdrs: aiohttp's header-name constants as istr, and the method names."""

from __future__ import annotations

import web_http
from multidict import CIMultiDict, istr
from web_http import hdrs


def test_header_constants_are_istr() -> None:
    for name in hdrs.__all__:
        if name.startswith("METH_") or name == "HOST_ALL":
            continue
        value = getattr(hdrs, name)
        assert isinstance(value, istr), name
        assert value.upper().replace("-", "_") == name, name


def test_well_known_values() -> None:
    assert hdrs.CONTENT_TYPE == "Content-Type"
    assert hdrs.SET_COOKIE == "Set-Cookie"
    assert hdrs.SEC_WEBSOCKET_ACCEPT == "Sec-WebSocket-Accept"
    assert hdrs.X_FORWARDED_FOR == "X-Forwarded-For"
    assert hdrs.WWW_AUTHENTICATE == "WWW-Authenticate"
    assert CIMultiDict({"content-type": "x"})[hdrs.CONTENT_TYPE] == "x"


def test_methods() -> None:
    assert hdrs.METH_ANY == "*"
    assert {
        "CONNECT",
        "HEAD",
        "GET",
        "DELETE",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
        "TRACE",
    } == hdrs.METH_ALL
    assert isinstance(hdrs.METH_ALL, frozenset)
    assert "Host" in hdrs.HOST_ALL
    assert "hOsT" in hdrs.HOST_ALL
    assert len(hdrs.HOST_ALL) == 16


def test_exported_as_module() -> None:
    assert web_http.hdrs is hdrs
    assert len(hdrs.__all__) == len(set(hdrs.__all__))
    for name in hdrs.__all__:
        assert hasattr(hdrs, name)
