"""The HTML listing a ``StaticResource`` with ``show_index=True`` serves for directories."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import quote

__all__ = ("render_index",)

_URL_SAFE = "/!$&'()*+,;=:@~"
# In a quoted href only ``&`` can still be markup; aiohttp leaves it raw, which reads the
# same unless it starts something a browser would take for a character reference.
_CHAR_REF = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def render_index(root: Path, directory: Path, prefix: str) -> str:
    """A page listing ``directory`` (below ``root``), links under the (encoded) URL ``prefix``.

    The page is aiohttp's byte for byte: title ``Index of /<dir>`` (``/.`` for the root),
    entries sorted, sub-directories labelled with a trailing ``/`` and linked without it.
    Names are HTML-escaped in the text and percent-encoded in the links, so a file called
    ``<script>`` or ``a"b`` cannot inject markup. Blocking I/O: call it in an executor.
    """
    relative = directory.relative_to(root).as_posix()
    relative = relative.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    title = "Index of /" + escape(relative)
    items: list[str] = []
    for entry in sorted(directory.iterdir()):
        rel = entry.relative_to(root).as_posix()
        # ``prefix`` is the resource's URL prefix, percent-encoded already
        quoted = quote(rel, safe=_URL_SAFE, errors="surrogateescape")
        href = _CHAR_REF.sub("&amp;", f"{prefix}/{quoted}")
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        # Undecodable (surrogate-escaped) names are shown with U+FFFD, linked byte-exact.
        name = entry.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        label = name + "/" if is_dir else name
        items.append(f'<li><a href="{href}">{escape(label)}</a></li>')
    listing = "\n".join(items)
    return (
        f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
        f"<ul>\n{listing}\n</ul>\n</body>\n</html>"
    )
