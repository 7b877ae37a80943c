"""``HandlerConfig``: the per-server connection settings, validated once per server.

``Server`` builds one and every ``RequestHandler`` of that server shares it, so no setting is
checked or derived per connection.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from web_http import HttpLimits

from ._abc import ACCESS_LOG_FORMAT

__all__ = (
    "FIELD_COUNT_BELOW",
    "HandlerConfig",
    "header_limits",
    "server_logger",
)

server_logger: Final = logging.getLogger("web.server")

#: ``max_headers`` values below this are aiohttp 3.14's meaning, a number of header fields
#: (its default is 128); from here up they are the byte bound of the header section that
#: aiohttp documents up to 3.13 (default 32768). No useful byte bound is this small: a
#: browser's request head alone is 500 to 1000 bytes.
FIELD_COUNT_BELOW: Final = 1024


def header_limits(max_line_size: int, max_field_size: int, max_headers: int) -> HttpLimits:
    """The parser limits for aiohttp's three parameters, ``max_headers`` read either way."""
    if isinstance(max_headers, int) and 0 < max_headers < FIELD_COUNT_BELOW:
        return HttpLimits(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_header_count=max_headers,
        )
    return HttpLimits(
        max_line_size=max_line_size, max_field_size=max_field_size, max_headers=max_headers
    )


class HandlerConfig:
    """The per-server settings of a connection, validated and derived once per server."""

    __slots__ = (
        "access_log",
        "access_log_class",
        "access_log_format",
        "auto_decompress",
        "client_head_timeout",
        "debug",
        "keepalive_timeout",
        "limits",
        "lingering_time",
        "logger",
        "max_decompressed_size",
        "read_bufsize",
        "tcp_keepalive",
    )

    def __init__(
        self,
        *,
        keepalive_timeout: float = 75.0,
        tcp_keepalive: bool = True,
        logger: logging.Logger = server_logger,
        access_log_class: Any = None,
        access_log: logging.Logger | None = None,
        access_log_format: str = ACCESS_LOG_FORMAT,
        debug: bool = False,
        max_line_size: int = 8190,
        max_headers: int = 32768,
        max_field_size: int = 8190,
        lingering_time: float = 10.0,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        client_head_timeout: float | None = 60.0,
        max_decompressed_size: int | None = 2**25,
    ) -> None:
        if keepalive_timeout < 0:
            raise ValueError("keepalive_timeout must be >= 0")
        if lingering_time < 0:
            raise ValueError("lingering_time must be >= 0")
        if read_bufsize <= 0:
            raise ValueError("read_bufsize must be positive")
        if client_head_timeout is not None and client_head_timeout <= 0:
            raise ValueError("client_head_timeout must be positive or None")
        self.keepalive_timeout = float(keepalive_timeout)
        self.tcp_keepalive = tcp_keepalive
        self.logger = logger
        self.access_log_class = access_log_class
        self.access_log = access_log
        self.access_log_format = access_log_format or ACCESS_LOG_FORMAT
        self.debug = debug
        self.limits = header_limits(max_line_size, max_field_size, max_headers)
        self.lingering_time = float(lingering_time)
        self.read_bufsize = read_bufsize
        self.auto_decompress = auto_decompress
        self.client_head_timeout = client_head_timeout
        # A compressed request body may not expand past this (per message; 413 beyond), so a
        # small bomb cannot fill memory before flow control can pause the transport.
        if max_decompressed_size is not None and max_decompressed_size <= 0:
            raise ValueError("max_decompressed_size must be positive or None")
        self.max_decompressed_size = max_decompressed_size
