"""Every ```python sample of README.md and docs/*.md runs, in order, one namespace per file.

`web.run_app` would serve forever, so while the samples run it is replaced by a harness that
really serves the given app (through AppRunner on an ephemeral port), fetches "/" with httpx,
checks that the answer is not a server error, and shuts the app down again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from pathlib import Path

import httpx
import pytest
import web

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SAMPLE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


async def _serve_once(app: web.Application) -> int:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"http://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
    return resp.status_code


def _run_app_harness(served: list[int]) -> object:
    def run_app(app: web.Application | Awaitable[web.Application], **_: object) -> None:
        async def main() -> int:
            real = app if isinstance(app, web.Application) else await app
            return await _serve_once(real)

        served.append(asyncio.run(main()))

    return run_app


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_samples_run(doc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = SAMPLE.findall(doc.read_text())
    served: list[int] = []
    monkeypatch.setattr(web, "run_app", _run_app_harness(served))
    namespace: dict[str, object] = {"__name__": "__main__"}
    for number, code in enumerate(samples, 1):
        exec(compile(code, f"{doc.name} sample {number}", "exec"), namespace)
    assert all(status < 500 for status in served), served
    if "run_app(" in "".join(samples):
        assert served, "a sample calls run_app but no app was served"
