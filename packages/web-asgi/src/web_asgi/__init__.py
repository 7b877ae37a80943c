"""web-asgi: a ``web.Application`` on ASGI servers, and ASGI applications inside one.

* ``asgi_app(app)`` is the ASGI 3 application serving ``app`` on uvicorn, Hypercorn,
  Granian or any ASGI server (http, websocket, lifespan); ``factory(make_app)`` is the same
  for ``--factory`` command lines.
* ``add_asgi(app, prefix, asgi)`` (also ``app.add_asgi(prefix, asgi)``) mounts an ASGI
  application (Starlette, FastAPI, Django...) under a prefix of ours, on our own server.
"""

from __future__ import annotations

import web_app as _web_app

from .__about__ import __version__ as __version__
from ._app import AsgiApp as AsgiApp, asgi_app as asgi_app, factory as factory
from ._mount import AsgiResource as AsgiResource, add_asgi as add_asgi
from ._types import (
    ASGIApp as ASGIApp,
    Message as Message,
    Receive as Receive,
    Scope as Scope,
    Send as Send,
)

# web-app's Application.add_asgi runs what this package registers (web-app never imports us).
_web_app.Application.asgi_mount = add_asgi

__all__ = (
    "ASGIApp",
    "AsgiApp",
    "AsgiResource",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "__version__",
    "add_asgi",
    "asgi_app",
    "factory",
)
