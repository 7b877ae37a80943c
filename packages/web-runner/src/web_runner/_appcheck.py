"""Is this object a web-app ``Application``? One check for runners, run_app, CLI and workers."""

from __future__ import annotations

from typing import TypeGuard

from web_app import Application

__all__ = ("is_application",)


def is_application(obj: object) -> TypeGuard[Application]:
    return isinstance(obj, Application)
