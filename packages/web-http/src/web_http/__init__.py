"""web-http: a strict, fast, sans-IO HTTP/1.1 message layer (parser, serializer, helpers, streams)."""

from __future__ import annotations

from .__about__ import __version__ as __version__

# --- parser, serializer, errors, hdrs, decoders (exports added below this line) ---

# --- header helpers, body streams, form and multipart (exports added below this line) ---
