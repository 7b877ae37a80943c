"""The error pages the connection writes itself (a failing handler's 500, a bad body's 400 or
413, a timed-out handler's 504): HTML for a client that asks for HTML, plain text otherwise.

A browser showing a server error gets a page it renders; curl, scripts and API clients get a
short text line. aiohttp chooses the same way (``text/html`` in ``Accept``).
"""

from __future__ import annotations

import html
import traceback
from typing import Final

from web_http import reason_phrase

from ._response import Response

__all__ = ("error_text", "error_response")

#: How much of a reason taken from the request we echo back, so hostile input stays short.
_MAX_MESSAGE: Final = 200


def error_text(status: int, message: str) -> str:
    """``"400 Bad Request: <message>"`` on one line (the message cut to 200 characters)."""
    reason = reason_phrase(status) or "Error"
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    return f"{status} {reason}: {message}\n" if message else f"{status} {reason}\n"


def _wants_html(accept: str | None) -> bool:
    return accept is not None and "text/html" in accept.lower()


def error_response(
    status: int,
    *,
    accept: str | None,
    message: str = "",
    exc: BaseException | None = None,
) -> Response:
    """The page for ``status``; ``exc``, when given, is shown as a traceback (debug mode)."""
    trace = "".join(traceback.format_exception(exc)) if exc is not None else ""
    if _wants_html(accept):
        title = html.escape(error_text(status, "").strip())
        parts = [f"<html><head><title>{title}</title></head><body>\n<h1>{title}</h1>\n"]
        if message:
            parts.append(f"<p>{html.escape(error_text(status, message).strip())}</p>\n")
        if trace:
            parts.append(f"<h2>Traceback:</h2>\n<pre>{html.escape(trace)}</pre>\n")
        parts.append("</body></html>\n")
        resp = Response(status=status, text="".join(parts), content_type="text/html")
    else:
        text = error_text(status, message)
        if trace:
            text = error_text(status, "") + "\n" + trace
        resp = Response(status=status, text=text, content_type="text/plain")
    resp.force_close()
    return resp
