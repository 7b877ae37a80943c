"""web-static: ``FileResponse`` and static file serving (``UrlDispatcher.add_static``)."""

from __future__ import annotations

from .__about__ import __version__ as __version__
from ._file_response import FileResponse as FileResponse
from ._resource import StaticResource as StaticResource

__all__ = ("FileResponse", "StaticResource")
