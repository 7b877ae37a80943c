"""web-routing: aiohttp's URL dispatcher, independent of any application.

Resolve ``(method, path)`` to a route and its match info with
:class:`UrlDispatcher`, build URLs back from resource names, and describe
routes with :class:`RouteDef` / :class:`RouteTableDef`.
"""

from __future__ import annotations

from .__about__ import __version__ as __version__
from ._abc import (
    AbstractMatchInfo as AbstractMatchInfo,
    AbstractResource as AbstractResource,
    AbstractRoute as AbstractRoute,
    AbstractRouter as AbstractRouter,
    ExpectHandler as ExpectHandler,
    Handler as Handler,
    HandlerType as HandlerType,
    RequestLike as RequestLike,
)
from ._dispatcher import (
    ResourcesView as ResourcesView,
    RoutesView as RoutesView,
    UrlDispatcher as UrlDispatcher,
)
from ._errors import RoutingError as RoutingError
from ._match_info import (
    MatchInfoError as MatchInfoError,
    UrlMappingMatchInfo as UrlMappingMatchInfo,
)
from ._resources import (
    DynamicResource as DynamicResource,
    PlainResource as PlainResource,
    PrefixResource as PrefixResource,
    Resource as Resource,
)
from ._routedef import (
    AbstractRouteDef as AbstractRouteDef,
    RouteDef as RouteDef,
    RouteTableDef as RouteTableDef,
    StaticDef as StaticDef,
    delete as delete,
    get as get,
    head as head,
    options as options,
    patch as patch,
    post as post,
    put as put,
    route as route,
    static as static,
    view as view,
)
from ._routes import ResourceRoute as ResourceRoute, SystemRoute as SystemRoute
from ._subapp import (
    AbstractRuleMatching as AbstractRuleMatching,
    Domain as Domain,
    MaskDomain as MaskDomain,
    MatchedSubAppResource as MatchedSubAppResource,
    PrefixedSubAppResource as PrefixedSubAppResource,
)

__all__ = (
    "AbstractMatchInfo",
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouteDef",
    "AbstractRouter",
    "AbstractRuleMatching",
    "Domain",
    "DynamicResource",
    "ExpectHandler",
    "Handler",
    "HandlerType",
    "MaskDomain",
    "MatchInfoError",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "RequestLike",
    "Resource",
    "ResourceRoute",
    "ResourcesView",
    "RouteDef",
    "RouteTableDef",
    "RoutesView",
    "RoutingError",
    "StaticDef",
    "SystemRoute",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "__version__",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
)
