"""``python -m web routes mod:app``: the route table of an application, sub-apps included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from web_app import Application
from web_routing import AbstractResource, MatchedSubAppResource, PrefixedSubAppResource

__all__ = ("RouteRow", "format_routes", "route_rows")


class RouteRow(NamedTuple):
    method: str
    path: str
    name: str
    handler: str


def _describe_handler(resource: AbstractResource, handler: Any) -> str:
    directory = resource.get_info().get("directory")
    if directory is not None:  # add_static: every route serves files from one folder
        return f"static files from {directory}"
    target = getattr(handler, "__func__", handler)  # a bound method names its function
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}.{qualname}" if module else qualname


def _path(resource: AbstractResource) -> str:
    info = resource.get_info()
    if "directory" in info:
        return f"{resource.canonical.rstrip('/')}/{{filename}}"
    return resource.canonical


def route_rows(app: Application, domain: str = "") -> Iterator[RouteRow]:
    """One row per route in registration order; a sub-app's rows where it was added."""
    for resource in app.router.resources():
        if isinstance(resource, MatchedSubAppResource):
            rule = resource.rule.get_info().get("domain", resource.canonical)
            yield from route_rows(resource.app, rule)
            continue
        if isinstance(resource, PrefixedSubAppResource):
            # Its resources already carry the prefix (add_subapp prefixes them).
            yield from route_rows(resource.app, domain)
            continue
        path = domain + _path(resource)
        for route in resource:
            yield RouteRow(
                route.method,
                path,
                resource.name or route.name or "",
                _describe_handler(resource, route.handler),
            )


def format_routes(app: Application) -> str:
    """The route table as aligned text columns under a header line."""
    rows = [RouteRow("METHOD", "PATH", "NAME", "HANDLER"), *route_rows(app)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]
        )
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
