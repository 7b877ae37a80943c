"""Imported by ``web_aiohttp_compat.pth`` at every interpreter start: installs the layer only
when ``WEB_AIOHTTP_COMPAT`` says so, and otherwise costs one environment lookup."""

from __future__ import annotations

import os

from . import ENV_VAR, install

if os.environ.get(ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}:
    install()
