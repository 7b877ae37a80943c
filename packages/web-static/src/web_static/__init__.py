"""web-static: ``FileResponse`` and static file serving (``UrlDispatcher.add_static``)."""

from __future__ import annotations

import web_routing as _web_routing

from .__about__ import __version__ as __version__
from ._file_response import FileResponse as FileResponse
from ._resource import StaticResource as StaticResource

# web-routing's add_static builds what this package registers (the router never imports us).
_web_routing.UrlDispatcher.static_resource_factory = StaticResource

__all__ = ("FileResponse", "StaticResource")
