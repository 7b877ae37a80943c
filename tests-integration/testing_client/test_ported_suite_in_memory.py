"""The pytest-aiohttp-style module again, unchanged, with every fixture served in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).with_name("test_ported_aiohttp_suite.py")
# Loaded into that run: a test server that tries to listen on a socket fails its test.
NO_LISTENING = """
import web

async def _refuse(self, *args, **kwargs):
    raise AssertionError("a test server listened on a socket in the in-memory run")

web.SockSite.start = _refuse
"""


def test_ported_suite_passes_over_the_in_memory_transport(tmp_path: Path) -> None:
    # A session of its own: the ini option applies to a whole run.
    (tmp_path / "no_listening.py").write_text(NO_LISTENING)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "web_testing_transport=memory",
            "-o",
            "asyncio_mode=auto",
            "-p",
            "no_listening",
            f"--rootdir={tmp_path}",
            str(SUITE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "12 passed" in proc.stdout, proc.stdout
