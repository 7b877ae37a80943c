"""The CLI's one error type: a mistake on the command line, reported on one line."""

from __future__ import annotations

__all__ = ("UsageError",)


class UsageError(Exception):
    """A mistake on the command line: reported on one line, exit status 2."""
