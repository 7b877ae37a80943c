from __future__ import annotations

from typing import Any

import pytest
from web_routing import UrlDispatcher


async def handler(request: Any) -> str:
    return "ok"


async def other(request: Any) -> str:
    return "other"


@pytest.fixture
def router() -> UrlDispatcher:
    return UrlDispatcher()
