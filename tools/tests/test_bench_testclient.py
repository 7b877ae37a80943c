"""The test-client benchmark runs every scenario both ways (no timing is checked here)."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "testclient.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_testclient", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_scenario_runs_over_both_transports(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load()
    asyncio.run(bench.main(list(bench.SCENARIOS), rounds=1, tests=1, iterations=2))
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[1:-1]]
    assert names == [*bench.SCENARIOS, "total"]


def test_split_finds_the_client_and_transport_shares(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load()
    client, transport = asyncio.run(bench.split("hello", 1, 3))
    assert 0 < client < 1 and 0 < transport < 1 and client + transport < 1
    asyncio.run(bench.main(["hello", "ws"], rounds=1, tests=1, iterations=2, with_split=True))
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index("") + 2 :]
    assert [line.split()[0] for line in table[:3]] == ["hello", "ws", "total"]
    assert table[2].endswith("x")


def test_suite_shape_follows_the_measured_mix(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load()
    counts = [bench.suite_exchanges(test) for test in range(200)]
    assert counts.count(1) == 188 and counts.count(2) == 10 and counts.count(3) == 2
    # each scenario's own routes are enough for it: the runs would fail on a 404 otherwise
    asyncio.run(bench.main(list(bench.SCENARIOS), rounds=1, tests=1, iterations=5, suite=True))
    out = capsys.readouterr().out
    assert "1 clients, 1 exchanges, each app with its scenario's routes" in out


def test_suite_apps_hold_only_their_scenarios_routes() -> None:
    bench = _load()
    app = bench.make_app(bench.SCENARIO_ROUTES["cookies"])
    paths = sorted({route.resource.canonical for route in app.router.routes()})
    assert paths == ["/login", "/whoami"]
    assert len(bench.make_app().router.resources()) == len(bench.ROUTES)
