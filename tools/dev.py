"""The README's two commands: serve the demo, and run every check.

Only the standard library is used here, so a fresh clone with python3 (3.10+) and pip is enough:
the script makes `.venv` on first use, installs every package of the workspace in editable mode
with the test tools, and reuses it afterwards (it reinstalls when a pyproject.toml changes).

    python3 tools/dev.py serve      # the demo app on http://127.0.0.1:8080
    python3 tools/dev.py check      # ruff, mypy --strict, unit, integration, layering, isolation
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PACKAGES = (
    "web-http",
    "web-routing",
    "web-app",
    "web-static",
    "web-websocket",
    "web-runner",
    "web-asgi",
    "web-meta",
    "web-testing",
)
IMPORT_NAMES = {
    "web-http": "web_http",
    "web-routing": "web_routing",
    "web-app": "web_app",
    "web-static": "web_static",
    "web-websocket": "web_websocket",
    "web-runner": "web_runner",
    "web-asgi": "web_asgi",
    "web-meta": "web",
    "web-testing": "web_testing",
}
# Packages proven to install alone, with only their declared dependencies, and pass their tests.
ISOLATED = ("web-http", "web-routing")
TEST_TOOLS = ("pytest>=8", "pytest-asyncio>=0.23", "hypothesis>=6.100")
DEV_TOOLS = (
    *TEST_TOOLS,
    "httpx>=0.27",
    "websockets>=12",
    "gunicorn>=22",
    "watchfiles>=0.21",
    "trustme>=1.1",
    "brotli>=1.1",
    "backports.zstd>=1.0; python_version < '3.14'",
    "uvloop>=0.19; sys_platform != 'win32'",
    # ASGI: the servers the web-asgi suite runs our app on, HTTP/2 for httpx, a mounted app.
    "uvicorn>=0.30",
    "httptools>=0.6",
    "hypercorn>=0.17",
    "granian>=2.0",
    "h2>=4.1",
    "starlette>=0.40",
    "mypy>=1.11",
    "ruff>=0.6",
    "tomli>=2",
)
DEBIAN_TOOLS = ("curl",)


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def _run(cmd: Sequence[str | Path]) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def _fingerprint(extra: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in PACKAGES:
        digest.update((ROOT / "packages" / name / "pyproject.toml").read_bytes())
    digest.update("\n".join(extra).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_env(env: Path, packages: Sequence[str], tools: Sequence[str]) -> Path:
    """Create (or refresh) a virtual environment holding `packages` in editable mode and `tools`."""
    marker = env / ".web-fingerprint"
    want = _fingerprint([*packages, *tools])
    python = _bin(env, "python")
    if python.exists() and marker.exists() and marker.read_text() == want:
        return python
    if not python.exists():
        print(f"creating {env.relative_to(ROOT)}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    pip: list[str | Path] = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    editable: list[str | Path] = []
    for name in packages:
        editable += ["-e", ROOT / "packages" / name]
    # All local packages in one call, so sibling dependencies resolve to the local folders.
    if _run([*pip, *editable, *tools]) != 0:
        sys.exit("installing the workspace failed")
    marker.write_text(want)
    return python


def ensure_debian_tools() -> None:
    """Install the command-line clients the integration tests drive (curl), when missing."""
    missing = [tool for tool in DEBIAN_TOOLS if shutil.which(tool) is None]
    if not missing or not shutil.which("apt-get"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    _run([*sudo, "apt-get", "update", "-qq"])
    _run([*sudo, "apt-get", "install", "-y", "-qq", *missing])


def cmd_serve(args: argparse.Namespace) -> int:
    python = ensure_env(VENV, PACKAGES, DEV_TOOLS)
    return _run(
        [python, ROOT / "examples" / "demo.py", "--host", args.host, "--port", str(args.port)]
    )


def _steps(python: Path) -> list[tuple[str, list[str | Path]]]:
    ruff = _bin(python.parent.parent, "ruff")
    srcs: list[str | Path] = []
    for name in PACKAGES:
        srcs += ["-p", IMPORT_NAMES[name]]
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff check", [ruff, "check", "."]),
        ("ruff format", [ruff, "format", "--check", "."]),
        ("mypy (sources)", [python, "-m", "mypy", *srcs]),
        ("mypy (tools, examples)", [python, "-m", "mypy", "tools", "examples"]),
    ]
    # One run per folder: mypy refuses two modules both named conftest.
    integration = ROOT / "tests-integration"
    top_level: list[str | Path] = sorted(integration.glob("*.py"))
    steps.append(("mypy tests-integration", [python, "-m", "mypy", *top_level]))
    folders = sorted(p for p in integration.iterdir() if any(p.glob("test_*.py")))
    steps += [(f"mypy {f.name} integration", [python, "-m", "mypy", f]) for f in folders]
    for name in PACKAGES:
        tests = ROOT / "packages" / name / "tests"
        if any(tests.glob("test_*.py")):
            steps.append((f"mypy {name} tests", [python, "-m", "mypy", tests]))
    steps.append(("layering", [python, ROOT / "tools" / "check_layering.py"]))
    return steps


class Tally:
    """Adds up the pytest runs of one check from their JUnit reports, for one closing line."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="web-check-"))
        self.passed = self.failed = self.skipped = 0

    def pytest(self, python: Path, paths: Sequence[str | Path]) -> int:
        report = self.folder / f"run{len(list(self.folder.iterdir()))}.xml"
        cmd: list[str | Path] = [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
        ]
        code = _run([*cmd, *paths])
        if report.exists():
            for suite in ElementTree.parse(report).getroot().iter("testsuite"):
                total = int(suite.get("tests", 0))
                failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
                skipped = int(suite.get("skipped", 0))
                self.passed += total - failed - skipped
                self.failed += failed
                self.skipped += skipped
        return 0 if code == 5 else code  # 5: that folder has no test yet

    def line(self) -> str:
        return f"total: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def cmd_check(args: argparse.Namespace) -> int:
    """Every check, in order; keeps going after a failure and exits non-zero if any failed."""
    python = Path(sys.executable) if args.no_venv else ensure_env(VENV, PACKAGES, DEV_TOOLS)
    ensure_debian_tools()
    failed: list[str] = []
    tally = Tally()
    for label, cmd in _steps(python):
        if _run(cmd) != 0:
            failed.append(label)
    unit = [ROOT / "packages" / name / "tests" for name in PACKAGES]
    if tally.pytest(python, [*unit, ROOT / "tools" / "tests"]) != 0:
        failed.append("unit tests")
    if tally.pytest(python, [ROOT / "tests-integration"]) != 0:
        failed.append("integration tests")
    if not args.no_isolation:
        for name in ISOLATED:
            env = ROOT / f".venv-{name}"
            iso_python = ensure_env(env, [name], TEST_TOOLS)
            if tally.pytest(iso_python, [ROOT / "packages" / name / "tests"]) != 0:
                failed.append(f"{name} alone")
    print(tally.line(), flush=True)
    if failed:
        print("FAILED: " + ", ".join(failed), flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


def cmd_types(args: argparse.Namespace) -> int:
    python = Path(sys.executable) if args.no_venv else ensure_env(VENV, PACKAGES, DEV_TOOLS)
    return max(_run(cmd) for label, cmd in _steps(python) if label.startswith("mypy"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/dev.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the demo application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)
    check = sub.add_parser("check", help="run every check the CI runs")
    check.add_argument("--no-venv", action="store_true", help="use the running interpreter")
    check.add_argument("--no-isolation", action="store_true", help="skip the lone-package installs")
    check.set_defaults(func=cmd_check)
    types = sub.add_parser("types", help="mypy --strict over sources and tests")
    types.add_argument("--no-venv", action="store_true")
    types.set_defaults(func=cmd_types)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
