"""aiohttp's logger names for a porting user: one call links ours under theirs.

Our loggers keep their ``web.*`` names. ``use_aiohttp_logger_names()`` makes each the child of
the aiohttp logger with the same role (``web.access`` -> ``aiohttp.access`` -> ``aiohttp`` ->
root), so a logging configuration written for aiohttp (levels, handlers, ``propagate`` on
``aiohttp.access``, ``aiohttp.server``, ``aiohttp.web`` or ``aiohttp``) takes effect unchanged.
Records keep their ``web.*`` logger name.
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import Final

__all__ = ("AIOHTTP_LOGGER_NAMES", "use_aiohttp_logger_names")

#: our logger name -> aiohttp's for the same role
AIOHTTP_LOGGER_NAMES: Final = MappingProxyType(
    {"web.access": "aiohttp.access", "web.server": "aiohttp.server", "web.web": "aiohttp.web"}
)


def use_aiohttp_logger_names() -> None:
    """Route our loggers through aiohttp's names (idempotent).

    Call it after ``logging.config.dictConfig`` / ``fileConfig``: those disable the loggers
    that exist but are not named in the configuration, and this call enables ours again.
    Configuration on the ``web`` umbrella logger no longer reaches these three afterwards.
    """
    # The umbrella must exist first: created later, logging would re-parent its children.
    logging.getLogger("web")
    for ours, theirs in AIOHTTP_LOGGER_NAMES.items():
        logger = logging.getLogger(ours)
        logger.parent = logging.getLogger(theirs)
        logger.disabled = False
        logger.setLevel(logger.level)  # drops logging's cached effective levels
