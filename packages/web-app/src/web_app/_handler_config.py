"""``HandlerConfig``: the per-server connection settings, validated once per server.

``Server`` builds one and every ``RequestHandler`` of that server shares it, so no setting is
checked or derived per connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Final

from web_http import HttpLimits

from ._access_log import ACCESS_LOG_FORMAT

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


#: ``header_limits`` answers by its int arguments (HttpLimits is frozen): every server of a
#: test suite has the same ones, and building and validating one costs more than the rest of
#: the server's settings together.
_LIMITS: dict[tuple[int, int, int], HttpLimits] = {}


def header_limits(max_line_size: int, max_field_size: int, max_headers: int) -> HttpLimits:
    """The parser limits for aiohttp's three parameters, ``max_headers`` read either way."""
    key = (max_line_size, max_field_size, max_headers)
    if type(max_line_size) is int and type(max_field_size) is int and type(max_headers) is int:
        limits = _LIMITS.get(key)
        if limits is None:
            limits = _header_limits(*key)
            if len(_LIMITS) < 64:
                _LIMITS[key] = limits
        return limits
    return _header_limits(*key)


def _header_limits(max_line_size: int, max_field_size: int, max_headers: int) -> HttpLimits:
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
        "client_body_timeout",
        "client_head_timeout",
        "debug",
        "handler_timeout",
        "handler_timeout_status",
        "keepalive_timeout",
        "limits",
        "lingering_time",
        "logger",
        "max_concurrent_requests",
        "max_decompressed_size",
        "read_bufsize",
        "shed_exempt_paths",
        "shed_retry_after",
        "tcp_keepalive",
        "websocket_handshake_timeout",
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
        client_body_timeout: float | None = 60.0,
        handler_timeout: float | None = None,
        handler_timeout_status: int = 503,
        websocket_handshake_timeout: float | None = None,
        max_concurrent_requests: int | None = None,
        shed_exempt_paths: Iterable[str] = (),
        shed_retry_after: int = 1,
    ) -> None:
        if keepalive_timeout < 0:
            raise ValueError("keepalive_timeout must be >= 0")
        if lingering_time < 0:
            raise ValueError("lingering_time must be >= 0")
        if read_bufsize <= 0:
            raise ValueError("read_bufsize must be positive")
        if not (  # one expression for the four (a server per test: no tuples to build)
            (client_head_timeout is None or client_head_timeout > 0)
            and (client_body_timeout is None or client_body_timeout > 0)
            and (handler_timeout is None or handler_timeout > 0)
            and (websocket_handshake_timeout is None or websocket_handshake_timeout > 0)
        ):
            for name, value in (
                ("client_head_timeout", client_head_timeout),
                ("client_body_timeout", client_body_timeout),
                ("handler_timeout", handler_timeout),
                ("websocket_handshake_timeout", websocket_handshake_timeout),
            ):
                if value is not None and not value > 0:
                    raise ValueError(f"{name} must be positive or None, got {value!r}")
        if handler_timeout_status not in (503, 504):
            raise ValueError(
                f"handler_timeout_status must be 503 or 504, got {handler_timeout_status!r}"
            )
        if max_concurrent_requests is not None and max_concurrent_requests < 1:
            raise ValueError(
                f"max_concurrent_requests must be >= 1 or None, got {max_concurrent_requests!r}"
            )
        if isinstance(shed_exempt_paths, str):
            raise TypeError("shed_exempt_paths must be a collection of paths, not one string")
        if shed_retry_after < 0:
            raise ValueError(f"shed_retry_after must be >= 0, got {shed_retry_after!r}")
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
        # A body that sends nothing for this long (while the server is not the one pausing
        # it) gets 408 and the connection closes.
        self.client_body_timeout = client_body_timeout
        # A handler still running this long after its request started is cancelled and
        # answered 503 or 504 (or its stream cut, if the response had started).
        self.handler_timeout = handler_timeout
        self.handler_timeout_status = handler_timeout_status
        # The same for an upgrade request until its handler switched protocols (101).
        self.websocket_handshake_timeout = websocket_handshake_timeout
        # Handlers running at once across the server's connections; beyond, 503 at once.
        self.max_concurrent_requests = max_concurrent_requests
        self.shed_exempt_paths = frozenset(shed_exempt_paths)
        self.shed_retry_after = int(shed_retry_after)
        # A compressed request body may not expand past this (per message; 413 beyond), so a
        # small bomb cannot fill memory before flow control can pause the transport.
        if max_decompressed_size is not None and max_decompressed_size <= 0:
            raise ValueError("max_decompressed_size must be positive or None")
        self.max_decompressed_size = max_decompressed_size
