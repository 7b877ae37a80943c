"""Lifecycle signals in our runner's order on every server, and a failing startup.

Each test starts its own server process (the shutdown is part of what is checked).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_servers import SERVERS, start

pytestmark = pytest.mark.slow

#: aiohttp's order: cleanup contexts start with on_startup and finish with on_cleanup;
#: on_shutdown comes first at the end.
ORDER = ["ctx enter", "on_startup", "on_shutdown", "ctx exit", "on_cleanup"]


@pytest.mark.parametrize("kind", SERVERS)
def test_signals_run_in_order(kind: str, tmp_path: Path, static_dir: Path) -> None:
    served = start(kind, tmp_path / "events.txt", static_dir)
    try:
        assert httpx.get(f"{served.url}/", timeout=10).text == "hello"
        assert served.read_events() == ORDER[:2]
    finally:
        code = served.stop()
    assert served.read_events() == ORDER, served.log
    assert code == 0, served.log


@pytest.mark.parametrize("kind", SERVERS)
def test_failed_startup_stops_the_server(kind: str, tmp_path: Path, static_dir: Path) -> None:
    """on_startup raises: the server stops (ASGI: lifespan.startup.failed), and what had
    started is cleaned up."""
    served = start(
        kind, tmp_path / "events.txt", static_dir, env_extra={"ASGI_FAIL_STARTUP": "1"}, wait=False
    )
    try:
        code = served.proc.wait(20)
    finally:
        served.stop()
    # Hypercorn stops on lifespan.startup.failed but its command line exits with 0.
    assert code != 0 or kind == "hypercorn", served.log
    events = served.read_events()
    assert events[:2] == ["ctx enter", "on_startup"], served.log
    assert "ctx exit" in events, served.log
    assert "startup refused" in served.log
