"""Middlewares: the ``@middleware`` marker and ``normalize_path_middleware``.

A middleware is ``async def mw(request, handler) -> StreamResponse``.  The
application composes them around each route's handler once (see ``_app``),
by binding ``handler=`` with :func:`functools.partial`, so a middleware's
second parameter must be named ``handler`` exactly as in aiohttp.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from web_routing import SystemRoute

from ._app import Handler, Middleware
from ._exceptions import HTTPMove, HTTPPermanentRedirect

if TYPE_CHECKING:
    from ._app import Request
    from ._stream_response import StreamResponse

__all__ = ("middleware", "normalize_path_middleware")

_F = TypeVar("_F")

_MERGE_SLASHES = re.compile(r"//+")
# A redirect target starting with "//" or "/\" is read by browsers as a
# scheme-relative URL to another host: collapse any such leading run.
_LEADING_SLASHES = re.compile(r"^[/\\]{2,}")


def middleware(f: _F) -> _F:
    """Mark ``f`` as a new-style ``(request, handler)`` middleware.

    Unmarked callables in ``Application(middlewares=...)`` are taken for the
    deprecated ``(app, handler) -> handler`` factories, as in aiohttp.
    """
    f.__middleware_version__ = 1  # type: ignore[attr-defined]
    return f


def _candidate_paths(path: str, *, merge: bool, append: bool, remove: bool) -> list[str]:
    """The rewritten raw paths to try, in the documented order of attempts."""
    paths: list[str] = []
    if merge:
        paths.append(_MERGE_SLASHES.sub("/", path))
    if append and not path.endswith("/"):
        paths.append(path + "/")
    if remove and path.endswith("/"):
        paths.append(path[:-1])
    if merge and append:
        paths.append(_MERGE_SLASHES.sub("/", path + "/"))
    if merge and remove:
        paths.append(_MERGE_SLASHES.sub("/", path)[:-1])
    return [_LEADING_SLASHES.sub("/", p) for p in paths]


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> Middleware:
    """Redirect requests that miss a route to the normalized path that hits one.

    Only requests that did not resolve (404/405) are examined.  Tried in order:
    the path with merged slashes, the path with a slash appended (or removed),
    then both; the first that resolves in the current application's router is
    answered with ``redirect_class(new_path + query)``.  Nothing resolves: the
    request goes on to its (error) handler unchanged.
    """
    if append_slash and remove_slash:
        # Documented outcome (aiohttp raises it from an assert); explicit so
        # that it also holds under ``python -O``.
        raise AssertionError("Cannot both remove and append slash")

    @middleware
    async def impl(request: Request, handler: Handler) -> StreamResponse:
        if isinstance(request.match_info.route, SystemRoute):
            raw = request.raw_path
            path, sep, query = raw.partition("?")
            query = sep + query
            router = request.app.router
            for candidate in _candidate_paths(
                path,
                merge=merge_slashes,
                append=append_slash,
                remove=remove_slash,
            ):
                if candidate == path or not candidate:
                    continue
                match_info: Any = router.match(request.method, candidate, request.host)
                if match_info.http_exception is None:
                    raise redirect_class(candidate + query)
        return await handler(request)

    return impl
