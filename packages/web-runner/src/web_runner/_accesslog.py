"""Access logging with aiohttp's format spec, compiled once per logger.

The protocol calls ``log(request, response, seconds)`` after each response, and only when
``enabled`` is true, so an access logger that nobody listens to costs one attribute check.
``access_log=None`` goes further: no logger object exists at all.
"""

from __future__ import annotations

import logging
import os
import re
import time as _time
from collections.abc import Callable
from typing import Any

from web_app import (
    ACCESS_LOG_FORMAT,
    AbstractAccessLogger,
    AbstractAsyncAccessLogger,
    BaseRequest,
    StreamResponse,
)

__all__ = ("AbstractAccessLogger", "AbstractAsyncAccessLogger", "AccessLogger", "access_logger")

#: The logger ``run_app`` and the runners log requests to unless told otherwise.
access_logger = logging.getLogger("web.access")

_Field = Callable[[BaseRequest, StreamResponse, float], str]

# One directive: %{Name}i / %{Name}o / %{NAME}e, or a one/two letter code, or %% (a literal).
_DIRECTIVE = re.compile(r"%(?:\{([A-Za-z0-9_\-]+)\}([ioe])|(Tf|[atPrsbTD%])|(.|$))", re.DOTALL)

_time_cache: tuple[int, str] = (-1, "")


def _format_start(started: float) -> str:
    """``[10/Oct/2000:13:55:36 +0000]`` in local time; one strftime per second at most."""
    global _time_cache
    second = int(started)
    cached_second, text = _time_cache
    if cached_second != second:
        text = _time.strftime("[%d/%b/%Y:%H:%M:%S %z]", _time.localtime(second))
        _time_cache = (second, text)
    return text


def _remote(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return request.remote or "-"


def _start_time(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return _format_start(_time.time() - elapsed)


def _pid(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    # Read at log time: a pre-forking server (gunicorn --preload) changes it after import.
    return f"<{os.getpid()}>"


def _first_line(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    version = request.version
    return f"{request.method} {request.path_qs} HTTP/{version.major}.{version.minor}"


def _status(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return str(response.status)


def _size(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return str(response.body_length)


def _seconds(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return str(round(elapsed))


def _seconds_frac(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return f"{elapsed:.6f}"


def _micros(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
    return str(round(elapsed * 1_000_000))


def _request_header(name: str) -> _Field:
    def field(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
        return request.headers.get(name, "-")

    return field


def _response_header(name: str) -> _Field:
    def field(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
        return response.headers.get(name, "-")

    return field


def _environ(name: str) -> _Field:
    def field(request: BaseRequest, response: StreamResponse, elapsed: float) -> str:
        return os.environ.get(name, "-")

    return field


# code -> (key in the log record's ``extra``, field)
_SIMPLE: dict[str, tuple[str, _Field]] = {
    "a": ("remote_address", _remote),
    "t": ("request_start_time", _start_time),
    "P": ("process_id", _pid),
    "r": ("first_request_line", _first_line),
    "s": ("response_status", _status),
    "b": ("response_size", _size),
    "T": ("request_time", _seconds),
    "Tf": ("request_time_frac", _seconds_frac),
    "D": ("request_time_micro", _micros),
}
_KEYED: dict[str, tuple[str, Callable[[str], _Field]]] = {
    "i": ("request_header", _request_header),
    "o": ("response_header", _response_header),
    "e": ("environ", _environ),
}


class _Compiled:
    """A format string turned into a %-template and one small callable per directive."""

    __slots__ = ("fields", "template")

    def __init__(self, log_format: str) -> None:
        parts: list[str] = []
        fields: list[tuple[str, str | None, _Field]] = []
        pos = 0
        for match in _DIRECTIVE.finditer(log_format):
            parts.append(log_format[pos : match.start()].replace("%", "%%"))
            pos = match.end()
            name, kind, code, bad = match.groups()
            if bad is not None:
                # Apache's %l, %u... (unknown here) are printed as written, as aiohttp does:
                # a log format must never cost a request.
                parts.append(("%" + bad).replace("%", "%%"))
                continue
            if code == "%":
                parts.append("%%")
                continue
            if code is not None:
                key, field = _SIMPLE[code]
                fields.append((key, None, field))
            else:
                key, factory = _KEYED[kind]
                fields.append((key, name, factory(name)))
            parts.append("%s")
        parts.append(log_format[pos:].replace("%", "%%"))
        self.template = "".join(parts)
        self.fields = tuple(fields)


class AccessLogger(AbstractAccessLogger):
    """The default access logger, with aiohttp's format directives.

    ``%a`` remote address, ``%t`` start time, ``%P`` process id, ``%r`` request line,
    ``%s`` status, ``%b`` response size in bytes (headers included), ``%T`` seconds,
    ``%Tf`` seconds with microseconds, ``%D`` microseconds, ``%{Name}i`` a request header,
    ``%{Name}o`` a response header, ``%{NAME}e`` an environment variable, ``%%`` a percent sign.
    An unknown directive (Apache's ``%l``, ``%u``) is printed as written, as aiohttp does.
    The values also reach the log record as ``extra`` attributes (``remote_address``,
    ``first_request_line``, ``response_status``, ``request_header`` as a dict, ...), for
    structured log handlers.
    """

    __slots__ = ("_compiled",)

    LOG_FORMAT = ACCESS_LOG_FORMAT

    _cache: dict[str, _Compiled] = {}

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format)
        compiled = self._cache.get(log_format)
        if compiled is None:
            # One compile per distinct format: the runner builds a logger per connection.
            compiled = self._cache[log_format] = _Compiled(log_format)
        self._compiled = compiled

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        try:
            values: list[str] = []
            extra: dict[str, Any] = {}
            for key, name, field in self._compiled.fields:
                value = field(request, response, time)
                values.append(value)
                if name is None:
                    extra[key] = value
                else:
                    extra.setdefault(key, {})[name] = value
            self.logger.info(self._compiled.template, *values, extra=extra)
        except Exception:
            # A broken header accessor must not turn a served request into a crash.
            self.logger.exception("Error in access logging")
