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
    client, transport = asyncio.run(bench.split(bench.SCENARIOS["hello"], 1, 3))
    assert 0 < client < 1 and 0 < transport < 1 and client + transport < 1
    asyncio.run(bench.main(["hello", "ws"], rounds=1, tests=1, iterations=2, with_split=True))
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index("") + 2 :]
    assert [line.split()[0] for line in table[:3]] == ["hello", "ws", "total"]
    assert table[2].endswith("x")
