"""Opening a static file on the event loop, race-free, without an executor round trip.

A thread-pool hop (submit, wake a worker, hand the GIL over twice, wake the loop
through its self-pipe) costs more CPU than everything else a small static answer does.
The blocking parts of serving a file that is already in the page cache are a handful
of metadata syscalls (``open``, ``fstat``, one ``readlink``), each a microsecond or
two, so :class:`StaticResource` does them inline:

* the file is opened first and the *opened* descriptor is checked: on Linux
  ``/proc/self/fd/<fd>`` names the real path of what was opened, so a symlink swapped
  in between a check and an open cannot widen what is served (the old
  ``realpath``-then-``open`` had that window, and cost one ``lstat`` per component);
* body bytes are only read here with ``RWF_NOWAIT`` (see :func:`read_cached`), which
  returns what the page cache holds and never waits for a disk; anything else goes to
  the executor as before;
* whatever is unusual (a directory, a non-regular file, a permission error, a path
  that leaves the root, a system without ``/proc/self/fd``) is left to the executor
  path, which decides exactly as it always did.
"""

from __future__ import annotations

import os
import stat
from typing import Final

__all__ = ("INLINE_OPEN", "Opened", "open_inline", "read_cached")

_PROC_FD: Final = "/proc/self/fd/"
#: True where an open descriptor's real path can be read back (Linux with /proc).
INLINE_OPEN: Final = os.name == "posix" and os.path.isdir(_PROC_FD)
_RWF_NOWAIT: Final[int | None] = getattr(os, "RWF_NOWAIT", None)

OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Missing(Exception):
    """The name leads nowhere (ENOENT/ENOTDIR): a 404 whatever the slow path would do."""


#: ``(fd, stat result, real path)`` of a regular file opened inside the root.
Opened = tuple[int, os.stat_result, str]


def open_inline(root_prefix: str, filename: str, *, follow_symlinks: bool) -> Opened | None:
    """Open ``filename`` below the root (``root_prefix`` ends with ``/``), or say why not.

    Returns the open regular file, raises :class:`Missing` for a name that does not
    exist, and returns ``None`` for everything the executor path must decide (403s,
    directories and index pages, symlinks leading out, odd errors).
    ``filename`` was checked lexically by the router (no NUL, not absolute, no ``..``
    climbing above the root).
    """
    joined = root_prefix + filename
    if follow_symlinks and ".." in filename:
        # Symlinks may lead out, but the URL's own ".." is applied lexically first.
        joined = os.path.normpath(joined)
        if not joined.startswith(root_prefix):
            return None
    try:
        fd = os.open(joined, OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise Missing(filename) from None
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return None
        real = os.readlink(f"{_PROC_FD}{fd}")
    except OSError:
        os.close(fd)
        return None
    if not follow_symlinks and not real.startswith(root_prefix):
        os.close(fd)
        return None  # a symlink leading out: the executor path answers 404
    return fd, st, real


def read_cached(fd: int, offset: int, size: int) -> bytearray | None:
    """``size`` bytes at ``offset`` if the page cache holds them all, else ``None``.

    ``preadv`` with ``RWF_NOWAIT`` never blocks on the disk; a short, refused or
    unsupported read means the caller reads in the executor instead.
    """
    if _RWF_NOWAIT is None:
        return None
    buf = bytearray(size)
    try:
        got = os.preadv(fd, (buf,), offset, _RWF_NOWAIT)
    except OSError:
        return None  # EAGAIN (not cached), EOPNOTSUPP (file system cannot say)
    if got != size:
        return None
    return buf
