"""The profile's areas of tools/bench/serverside.py cover today's modules (no timing here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tools" / "bench" / "serverside.py"
PER_REQUEST = ("web-http/src/web_http", "web-routing/src/web_routing", "web-app/src/web_app")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_serverside", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


serverside = _load()
MODULES = sorted(
    path for folder in PER_REQUEST for path in (ROOT / "packages" / folder).rglob("*.py")
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: "/".join(p.parts[-2:]))
def test_every_module_on_the_request_path_has_its_area(path: Path) -> None:
    area = serverside._area(str(path))
    assert area not in ("other stdlib", "C calls from C (loop, dataclass init...)")
    if path.parent.name == "web_app" and path.stem not in ("__init__", "__about__", "integration"):
        assert not area.startswith("other"), f"{path.name} is in no named area: add it to AREAS"


@pytest.mark.parametrize(
    ("module", "area"),
    [
        ("_handler_chain", "app dispatch (web_app/_app)"),
        ("_app_lifecycle", "app dispatch (web_app/_app)"),
        ("_connection_io", "protocol (web_app/_protocol)"),
        ("_response_head", "response (web_app)"),
        ("_sse", "response (web_app)"),
        ("payload", "response (web_app)"),
        ("_compression_middleware", "compression (web_app)"),
    ],
)
def test_split_modules_stay_in_their_area(module: str, area: str) -> None:
    path = ROOT / "packages" / "web-app" / "src" / "web_app" / f"{module}.py"
    assert path.exists()
    assert serverside._area(str(path)) == area
