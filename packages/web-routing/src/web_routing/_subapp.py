"""Sub-application resources and domain rules.

An "app" here is any object whose ``router`` attribute is a
:class:`UrlDispatcher`; web-app passes its ``Application``.  Resolution goes
through the sub-app's router on the full path (its resources carry the
prefix), and the sub-app is pushed on the match info's apps stack.  As in
aiohttp, a prefix sub-app answers every path below its prefix, its own 404
and 405 included.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterator
from typing import Any

from yarl import URL

from ._abc import EMPTY_METHODS, AbstractRoute, RequestLike, ResolveResult
from ._match_info import MatchInfoError, UrlMappingMatchInfo
from ._resources import PrefixResource, _check_prefix

__all__ = (
    "AbstractRuleMatching",
    "Domain",
    "MaskDomain",
    "MatchedSubAppResource",
    "PrefixedSubAppResource",
)


def _resolve_in(
    resource: PrefixedSubAppResource, method: str, path: str, host: str | None
) -> ResolveResult:
    if resource._resolving:
        # the sub-app's router is one already resolving this path (a router shared with a
        # parent, as aiohttp allows): it has nothing more to offer, where aiohttp recurses
        # until RecursionError and answers 500
        return None, EMPTY_METHODS
    app = resource._app
    resource._resolving = True
    try:
        match_info: UrlMappingMatchInfo = app.router.resolve_path(method, path, host)
    finally:
        resource._resolving = False
    match_info.add_app(app)
    if isinstance(match_info, MatchInfoError) and match_info.status == 405:
        return match_info, match_info.allowed_methods
    return match_info, EMPTY_METHODS


class PrefixedSubAppResource(PrefixResource):
    """The resource ``Application.add_subapp(prefix, subapp)`` registers."""

    def __init__(self, prefix: str, app: Any) -> None:
        _check_prefix(prefix)
        super().__init__(prefix)
        self._app = app
        self._resolving = False
        self._add_prefix_to_resources(prefix)

    @property
    def app(self) -> Any:
        return self._app

    def add_prefix(self, prefix: str) -> None:
        super().add_prefix(prefix)
        self._add_prefix_to_resources(prefix)

    def _add_prefix_to_resources(self, prefix: str) -> None:
        router = self._app.router
        for resource in router.resources():
            resource.add_prefix(prefix)
        router.reindex()

    def url_for(self, *args: Any, **kwargs: Any) -> URL:
        raise RuntimeError(".url_for() is not supported by sub-application root")

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "prefix": self._prefix}

    def match_subpath(self, subpath: str) -> dict[str, str] | None:
        return {}

    def resolve_path(self, method: str, path: str, host: str | None = None) -> ResolveResult:
        if not self.matches_prefix(path):
            return None, EMPTY_METHODS
        return _resolve_in(self, method, path, host)

    def __len__(self) -> int:
        return len(self._app.router.routes())

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._app.router.routes())

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


class AbstractRuleMatching(abc.ABC):
    """A rule choosing a sub-application from the request (e.g. its host)."""

    @abc.abstractmethod
    def match_domain(self, host: str) -> bool:
        """True when ``host`` (the Host header value) satisfies the rule."""

    async def match(self, request: RequestLike) -> bool:
        host = request.host
        return bool(host) and self.match_domain(host)

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data."""

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The rule as text."""


class Domain(AbstractRuleMatching):
    """An exact host name, optionally with a port (``example.com:8080``)."""

    _label_re = re.compile(r"(?!-)[a-z\d-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        self._domain = self._validate(domain)

    def _validate(self, domain: str) -> str:
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        domain = domain.rstrip(".").lower()
        if not domain:
            raise ValueError("Domain cannot be empty")
        if "://" in domain:
            raise ValueError("Scheme not supported")
        try:
            url = URL("http://" + domain)
            port = url.port
        except ValueError as exc:
            raise ValueError(f"Domain not valid: {exc}") from None
        host = url.raw_host
        if not host or url.raw_path not in ("", "/") or url.user or url.query_string:
            raise ValueError("Domain not valid")
        if not all(self._label_re.fullmatch(label) for label in host.split(".")):
            raise ValueError("Domain not valid")
        return host if port == 80 else f"{host}:{port}"

    @property
    def canonical(self) -> str:
        return self._domain

    def match_domain(self, host: str) -> bool:
        host = host.lower()
        return host == self._domain or host.partition(":")[0] == self._domain

    def get_info(self) -> dict[str, Any]:
        return {"domain": self._domain}


class MaskDomain(Domain):
    """A host mask such as ``*.example.com`` (``*`` spans any characters)."""

    _label_re = re.compile(r"(?!-)[a-z\d*-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        super().__init__(domain)
        mask, _, self._port = self._domain.partition(":")
        self._pattern = self._domain.replace(".", r"\.").replace("*", "[^:]*") + "(:.*)?"
        self._mask = re.compile(".*".join(re.escape(p) for p in mask.split("*")), re.IGNORECASE)

    @property
    def canonical(self) -> str:
        return self._pattern

    def match_domain(self, host: str) -> bool:
        hostname, _, port = host.partition(":")
        if self._port and port != self._port:
            return False
        return self._mask.fullmatch(hostname) is not None


class MatchedSubAppResource(PrefixedSubAppResource):
    """The resource ``Application.add_domain(domain, subapp)`` registers."""

    def __init__(self, rule: AbstractRuleMatching, app: Any) -> None:
        PrefixResource.__init__(self, "")
        self._app = app
        self._resolving = False
        self._rule = rule

    @property
    def canonical(self) -> str:
        return self._rule.canonical

    @property
    def rule(self) -> AbstractRuleMatching:
        return self._rule

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "rule": self._rule}

    def resolve_path(self, method: str, path: str, host: str | None = None) -> ResolveResult:
        if not host or not self._rule.match_domain(host):
            return None, EMPTY_METHODS
        return _resolve_in(self, method, path, host)

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"
