"""``aiohttp.log`` for the server: the loggers the framework writes to, and the opt-in that
makes a logging configuration written for aiohttp's names apply to them.

``web.access`` (access log), ``web.server`` (connection errors), ``web.web`` (application).
aiohttp's client and websocket loggers have no counterpart here.
"""

from __future__ import annotations

from web_app import (
    AIOHTTP_LOGGER_NAMES as AIOHTTP_LOGGER_NAMES,
    server_logger as server_logger,
    use_aiohttp_logger_names as use_aiohttp_logger_names,
    web_logger as web_logger,
)
from web_runner import access_logger as access_logger

__all__ = (
    "AIOHTTP_LOGGER_NAMES",
    "access_logger",
    "server_logger",
    "use_aiohttp_logger_names",
    "web_logger",
)
