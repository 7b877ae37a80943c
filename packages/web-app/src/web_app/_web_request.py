"""Request: a BaseRequest that knows its route match and its application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._keys import ChainMapProxy
from ._request import BaseRequest

if TYPE_CHECKING:
    from web_routing import UrlMappingMatchInfo

    from ._app import Application
    from ._stream_response import StreamResponse

__all__ = ("Request",)


class Request(BaseRequest):
    """The request an :class:`Application` hands to handlers and middlewares.

    ``match_info`` is set by the application right after routing; ``app`` is
    the application whose middleware or handler is running now (a sub-app
    inside its own layer), ``config_dict`` chains that app's state to its
    parents'.
    """

    # BaseRequest's constructor is aiohttp's and Request adds no __init__ (one
    # Python call less per request): the slot stays unset until the
    # application routes the request, which it does right after creating it.
    __slots__ = ("_match_info",)

    _match_info: UrlMappingMatchInfo | None

    def clone(self, **kwargs: Any) -> Request:
        """A modified copy (see BaseRequest.clone) that keeps the match info."""
        new = super().clone(**kwargs)
        if not isinstance(new, Request):
            raise TypeError(f"clone() built {type(new).__name__}, expected Request")
        new._match_info = getattr(self, "_match_info", None)
        return new

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        """Path variables of the matched route (a dict), with ``route`` and ``apps``."""
        match_info: UrlMappingMatchInfo | None = getattr(self, "_match_info", None)
        if match_info is None:
            raise RuntimeError("match_info is not available before routing")
        return match_info

    @property
    def app(self) -> Application:
        """The application running the current middleware layer or handler."""
        app: Application = self.match_info.current_app
        return app

    @property
    def config_dict(self) -> ChainMapProxy:
        """``app`` state, then each parent's: ``request.config_dict[key]``."""
        match_info = self.match_info
        apps = match_info.apps
        idx = apps.index(match_info.current_app)
        return ChainMapProxy(reversed(apps[: idx + 1]))

    def _has_prepare_hook(self) -> bool:
        if type(self)._prepare_hook is not Request._prepare_hook or self._prepare_callbacks:
            return True  # a subclass hooks prepare itself, or a middleware asked to
        match_info = getattr(self, "_match_info", None)
        if match_info is None:
            return False
        apps = match_info.apps
        if len(apps) == 1:  # no sub-application: skip the generator
            return bool(apps[0]._on_response_prepare)
        return any(app._on_response_prepare for app in apps)

    async def _prepare_hook(self, response: StreamResponse) -> None:
        """Fire ``on_response_prepare`` of every app the request went through."""
        match_info = getattr(self, "_match_info", None)
        if match_info is None:
            return
        for app in match_info.apps:
            signal = app._on_response_prepare
            if signal:
                await signal.send(self, response)
