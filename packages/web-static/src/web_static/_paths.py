"""Mapping a URL file name to a file below the static root, without ever leaving it.

Two stages, so that most hostile paths cost nothing:

* :func:`check_filename` is lexical and runs while routing (no I/O): NUL bytes,
  absolute names, Windows drive or backslash tricks and ``..`` segments that climb
  above the root are refused there, so the request never reaches the file system;
* :func:`resolve_under` runs in the executor: it resolves symlinks and refuses any
  result outside the root unless ``follow_symlinks`` (which, as in aiohttp, lets
  symlinks lead out but still never lets the *URL* climb out).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

__all__ = ("PathRejected", "check_filename", "resolve_under")

_WINDOWS: Final = os.name == "nt"


class PathRejected(Exception):
    """The name does not denote a file we may serve; ``status`` is the answer (404/403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_filename(filename: str) -> bool:
    """True when ``filename`` (decoded, relative to the root) stays lexically inside it.

    ``a/../b`` is accepted (it names ``b``); ``../x``, ``a/../../x``, ``/etc/passwd``,
    ``C:x``, ``\\\\host\\share`` and names with NUL are not.
    """
    if "\x00" in filename:
        return False
    if filename.startswith("/"):
        return False  # //etc/passwd after the prefix: an absolute name, never joined
    if _WINDOWS and ("\\" in filename or ":" in filename):
        return False  # drive letters, UNC shares and alternate data streams
    if ".." not in filename:
        return True
    depth = 0
    for part in filename.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part and part != ".":
            depth += 1
    return True


def resolve_under(root: Path, filename: str, *, follow_symlinks: bool) -> Path:
    """The real path of ``filename`` below ``root`` (itself resolved); blocking I/O.

    Raises :class:`PathRejected` (404) for names outside the root, for symlinks that
    lead out when ``follow_symlinks`` is off, and for symlink loops.
    """
    if not check_filename(filename):
        raise PathRejected(404, "Not Found")
    joined = os.path.join(root, filename) if filename else str(root)
    try:
        if follow_symlinks:
            normalized = Path(os.path.normpath(joined))
            if not normalized.is_relative_to(root):
                raise PathRejected(404, "Not Found")
            return normalized.resolve()
        resolved = Path(os.path.realpath(joined))
    except (OSError, RuntimeError, ValueError) as exc:
        # RuntimeError / ELOOP: a symlink loop; ValueError: a name the OS cannot take.
        raise PathRejected(404, "Not Found") from exc
    if resolved != root and not resolved.is_relative_to(root):
        raise PathRejected(404, "Not Found")
    return resolved
