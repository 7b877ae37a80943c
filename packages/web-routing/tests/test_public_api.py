from __future__ import annotations

import web_routing


def test_all_names_exist_and_are_listed() -> None:
    public = {n for n in dir(web_routing) if not n.startswith("_")} | {"__version__"}
    public.discard("annotations")
    assert set(web_routing.__all__) == public
    for name in web_routing.__all__:
        assert getattr(web_routing, name) is not None


def test_aiohttp_names_present() -> None:
    expected = {
        "UrlDispatcher", "UrlMappingMatchInfo", "AbstractResource", "Resource",
        "PlainResource", "DynamicResource", "PrefixResource", "AbstractRoute",
        "ResourceRoute", "SystemRoute", "PrefixedSubAppResource", "MatchedSubAppResource",
        "Domain", "MaskDomain", "AbstractRouteDef", "RouteDef", "StaticDef", "RouteTableDef",
        "get", "post", "put", "patch", "delete", "head", "options", "route", "view", "static",
    }  # fmt: skip
    assert expected <= set(web_routing.__all__)


def test_import_pulls_no_sibling_or_aiohttp() -> None:
    import subprocess
    import sys

    code = "import sys, web_routing; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    top = {name.split(".")[0] for name in out.stdout.split()}
    assert "web_routing" in top
    assert not top & {"aiohttp", "web_app", "web_http", "web_static", "web", "asyncio"}
