"""``web.abc`` holds the server side of ``aiohttp.abc``, each class from the package using it."""

from __future__ import annotations

import web
import web.abc
import web_app
import web_routing

# aiohttp.abc's names; the client-side ones have no server counterpart
AIOHTTP_ABC = {
    "AbstractAccessLogger",
    "AbstractCookieJar",
    "AbstractMatchInfo",
    "AbstractResolver",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
    "ClearCookiePredicate",
    "ResolveResult",
}
CLIENT_SIDE = {"AbstractCookieJar", "AbstractResolver", "ClearCookiePredicate", "ResolveResult"}


def test_every_server_side_name_of_aiohttp_abc_is_there() -> None:
    assert set(web.abc.__all__) == (AIOHTTP_ABC - CLIENT_SIDE) | {"AbstractAsyncAccessLogger"}


def test_the_classes_are_the_owning_packages_ones() -> None:
    assert web.abc.AbstractRouter is web_routing.AbstractRouter
    assert web.abc.AbstractMatchInfo is web_routing.AbstractMatchInfo
    assert web.abc.AbstractView is web_app.AbstractView
    assert web.abc.AbstractStreamWriter is web_app.AbstractStreamWriter
    assert web.abc.AbstractAccessLogger is web_app.AbstractAccessLogger
    assert web.abc.AbstractAsyncAccessLogger is web_app.AbstractAsyncAccessLogger


def test_the_framework_classes_are_subclasses() -> None:
    assert issubclass(web.UrlDispatcher, web.abc.AbstractRouter)
    assert issubclass(web.UrlMappingMatchInfo, web.abc.AbstractMatchInfo)
    assert issubclass(web.View, web.abc.AbstractView)
    assert issubclass(web_app.PayloadWriter, web.abc.AbstractStreamWriter)
    import web_runner

    assert issubclass(web_runner.AccessLogger, web.abc.AbstractAccessLogger)


def test_web_log_has_the_server_loggers_of_aiohttp_log() -> None:
    import logging

    import web.log

    assert web.log.access_logger is logging.getLogger("web.access")
    assert web.log.server_logger is logging.getLogger("web.server")
    assert web.log.web_logger is logging.getLogger("web.web")
    assert web.log.use_aiohttp_logger_names is web_app.use_aiohttp_logger_names
