"""Shared fixtures for the end-to-end tests: real servers on ephemeral ports, real clients."""

from __future__ import annotations

import shutil

import pytest
from support import ServeApp, serve


@pytest.fixture
def serve_app() -> ServeApp:
    return serve


@pytest.fixture
def curl() -> str:
    found = shutil.which("curl")
    if found is None:
        pytest.fail("curl is not installed (tools/dev.py check installs it)")
    return found
