"""How much an asyncio socket transport reads per ``recv()`` while a large body streams in.

asyncio's socket transports read at most their ``max_size`` (256 KiB) per ``recv()`` and call
``data_received`` once per read. A request body arriving faster than that costs a loop turn, a
system call and the per-read work of the parser and the body stream for every 256 KiB; reading
up to 1 MiB at a time quarters them. Transports without that class attribute (uvloop, TLS)
keep their own read size.
"""

from __future__ import annotations

from typing import Final

__all__ = ("BODY_READ_SIZE", "FULL_READ", "narrow_reads", "widen_reads")

#: The read size while a request body streams in faster than asyncio's default reads.
BODY_READ_SIZE: Final = 2**20

#: asyncio's default read size: a read this large says the peer sends faster than it.
FULL_READ: Final = 2**18


def widen_reads(transport: object) -> bool:
    """Read up to ``BODY_READ_SIZE`` per ``recv()`` on ``transport``; False if it cannot."""
    default = getattr(type(transport), "max_size", None)
    if type(default) is not int or default >= BODY_READ_SIZE:
        return False
    vars(transport)["max_size"] = BODY_READ_SIZE  # shadows the class default, this connection only
    return True


def narrow_reads(transport: object) -> None:
    """Back to the transport's own read size (small reads allocate small buffers again)."""
    vars(transport).pop("max_size", None)
