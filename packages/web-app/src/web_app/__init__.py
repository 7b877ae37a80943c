"""web-app: requests, responses, the connection, the low-level server and Application."""

from __future__ import annotations

from .__about__ import __version__ as __version__

# --- request, response, exceptions (exports added below this line) ---

# --- connection, writer, low-level server (exports added below this line) ---

# --- application, middlewares, views, keys, dispatcher (exports added below this line) ---
