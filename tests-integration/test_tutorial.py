"""docs/tutorial.md does what it says: its final app, built by running every sample in order,
answers each endpoint the text describes over a real socket."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import web
import websockets
from support import serve

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
SAMPLE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.fixture
def tutorial(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The namespace after every sample ran (run_app only records what it was given)."""
    monkeypatch.setattr(web, "run_app", lambda app, **kwargs: None)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for number, code in enumerate(SAMPLE.findall(TUTORIAL.read_text()), 1):
        exec(compile(code, f"tutorial sample {number}", "exec"), namespace)
    return namespace


async def test_the_finished_notes_service(tutorial: dict[str, Any]) -> None:
    app = tutorial["init"]([])
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/")).text == "notes service\n"
        assert (await client.post("/")).status_code == 405
        assert (await client.get("/notes")).json() == [{"id": 1, "text": "buy milk"}]
        assert (await client.get("/notes/abc")).status_code == 404
        missing = await client.get("/notes/9")
        assert (missing.status_code, missing.text) == (404, "no such note\n")
        assert "Server-Timing" in missing.headers  # the middleware stamps raised errors too

        created = await client.post("/notes", json={"text": "  call mum "})
        assert created.status_code == 201
        assert created.json() == {"id": 2, "text": "call mum"}
        assert created.headers["Location"] == "/notes/2"
        assert created.headers["Server-Timing"].startswith("app;dur=")
        assert (await client.get("/notes/2")).json() == {"id": 2, "text": "call mum"}

        not_json = await client.post("/notes", content=b"{nope")
        assert (not_json.status_code, not_json.text) == (400, "the body is not JSON\n")
        empty = await client.post("/notes", json={"text": " "})
        assert empty.status_code == 400

        assert (await client.get("/stats")).json() == {"notes": 1}  # counted at start-up
        async with websockets.connect(base.replace("http", "ws") + "/live") as ws:
            await ws.send("list")
            assert json.loads(await ws.recv()) == [
                {"id": 1, "text": "buy milk"},
                {"id": 2, "text": "call mum"},
            ]
