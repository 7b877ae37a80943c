"""One application, four servers (see asgi_servers.py).

``server`` is module-scoped and parametrized, so each server process starts once per test
module and every test of the module runs against each of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgi_servers import BIG_SIZE, SERVERS, Served, start


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("static")
    (folder / "small.txt").write_text("small file\n")
    (folder / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    return folder


@pytest.fixture(scope="module", params=SERVERS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, static_dir: Path
) -> Iterator[Served]:
    kind: str = request.param
    events = tmp_path_factory.mktemp(kind) / "events.txt"
    served = start(kind, events, static_dir)
    try:
        yield served
    finally:
        served.stop()
