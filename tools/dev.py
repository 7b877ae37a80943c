"""The README's two commands: serve the demo, and run every check.

Only the standard library is used here, so a fresh clone with python3 (3.10+) and pip is enough:
the script makes `.venv` on first use, installs every package of the workspace in editable mode
with the test tools, and reuses it afterwards (it reinstalls when a pyproject.toml changes).

    python3 tools/dev.py serve      # the demo app on http://127.0.0.1:8080 (from .venv-serve)
    python3 tools/dev.py check      # ruff, mypy --strict, unit, integration, layering, docs,
                                    # isolation, the compiled web-http build
    python3 tools/dev.py compiled   # only the last: build .venv-compiled, run its tests
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
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
    "web-aiohttp-compat",
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
    "web-aiohttp-compat": "web_aiohttp_compat",
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
    "mkdocs>=1.6",
    "mkdocstrings[python]>=0.26",
    "tomli>=2",
    # aiohttp's client and the extensions tests-integration/web_aiohttp_compat runs on our server
    "aiohttp>=3.9",
    "aiohttp-session>=2.12",
    "aiohttp-jinja2>=1.6",
    "aiohttp-security>=0.5",
    "aiohttp-cors>=0.8",
    "aiohttp-sse>=2.2",
    "aiohttp-remotes>=1.3",
    "aiohttp-pydantic>=2.4",
    "sockjs>=0.13",
    "aiojobs>=1.3",
    "hatchling>=1.27",
    # the coverage-guided engine of tools/fuzz.py (wheels for Linux only)
    "atheris>=2.3; sys_platform == 'linux'",
)
DEBIAN_TOOLS = ("curl",)
# What the demo needs (the `web` namespace), run from source.
SERVE_PACKAGES = (
    "web-http",
    "web-routing",
    "web-app",
    "web-static",
    "web-websocket",
    "web-runner",
    "web-meta",
)
SERVE_VENV = ROOT / ".venv-serve"
# The opt-in mypyc build of web-http (packages/web-http/hatch_build.py) with the packages above
# it editable: the same unit tests run on it. Build tools come first, then one no-isolation
# install (offline-friendly, and the hook finds mypyc in the venv).
COMPILED_VENV = ROOT / ".venv-compiled"
# The unit tests run on it are those of web-http and of the packages whose hot path it is; the
# demo's other packages are installed too (editable) so tools/bench/run.py --compiled can serve.
COMPILED_TESTED = ("web-http", "web-routing", "web-app")
COMPILED_PACKAGES = SERVE_PACKAGES
COMPILED_TOOLS = (
    *TEST_TOOLS,
    "hatchling>=1.27",
    "editables>=0.5",
    "mypy>=1.11",
    "setuptools>=61",
    "uvloop>=0.19; sys_platform != 'win32'",
)


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


def runtime_requirements(packages: Sequence[str]) -> list[str]:
    """The third-party `dependencies` of `packages`, read from their pyproject.toml files.

    A small reader instead of tomllib, which Python 3.10 lacks; tools/tests checks it against
    tomllib for every package.
    """
    wanted: set[str] = set()
    for name in packages:
        text = (ROOT / "packages" / name / "pyproject.toml").read_text()
        block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
        if block is None:
            continue
        for requirement in re.findall(r'"([^"]+)"', block.group(1)):
            if re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0] not in PACKAGES:
                wanted.add(requirement)
    return sorted(wanted)


def ensure_serve_env() -> Path:
    """A small venv with only the demo's runtime dependencies; the packages run from source."""
    requirements = runtime_requirements(SERVE_PACKAGES)
    marker = SERVE_VENV / ".web-fingerprint"
    want = _fingerprint([*SERVE_PACKAGES, *requirements])
    python = _bin(SERVE_VENV, "python")
    if python.exists() and marker.exists() and marker.read_text() == want:
        print(f"using {SERVE_VENV.name} (made on the first run)", flush=True)
        return python
    print(f"creating {SERVE_VENV.name}, only what serving needs (first run only)", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(SERVE_VENV)
    print(f"installing {', '.join(requirements)}", flush=True)
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.call([str(c) for c in [*pip, *requirements]], cwd=ROOT) != 0:
        sys.exit("tools/dev.py serve: installing the demo's dependencies failed")
    site = subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True,
    ).strip()
    # A .pth file puts each package's src/ on sys.path: the workspace as it is, no build step.
    sources = [str(ROOT / "packages" / name / "src") for name in SERVE_PACKAGES]
    Path(site, "web-workspace.pth").write_text("\n".join(sources) + "\n")
    print(f"linked {len(sources)} packages from packages/*/src", flush=True)
    marker.write_text(want)
    return python


def cmd_serve(args: argparse.Namespace) -> int:
    python = ensure_serve_env()
    demo = ROOT / "examples" / "demo.py"
    cmd = [str(python), str(demo), "--host", args.host, "--port", str(args.port)]
    print(f"serving {demo.relative_to(ROOT)} on http://{args.host}:{args.port}/", flush=True)
    if os.name == "posix":
        # The server takes this process's place, so a SIGTERM to it stops the server.
        os.execv(cmd[0], cmd)
    return subprocess.call(cmd, cwd=ROOT)


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
    # The API reference and guides; --strict makes a broken link or reference fail.
    site = Path(tempfile.mkdtemp(prefix="web-docs-"))
    steps.append(("docs build", [python, "-m", "mkdocs", "build", "--strict", "-q", "-d", site]))
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


def _compiled_problem() -> str | None:
    """Why the compiled build cannot be made on this machine (checked before pip runs)."""
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler!r}, this Python's CC, is not on PATH; apt install gcc)"
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").exists():
        return f"no Python headers ({include}/Python.h is missing; apt install python3-dev)"
    return None


def ensure_compiled_env() -> Path | None:
    """``.venv-compiled``: web-http built with WEB_COMPILE=1, checked to be compiled; or None."""
    problem = _compiled_problem()
    if problem is not None:
        print(f"compiled web-http: cannot build: {problem}", flush=True)
        return None
    digest = hashlib.sha256(_fingerprint([*COMPILED_PACKAGES, *COMPILED_TOOLS]).encode())
    http = ROOT / "packages" / "web-http"
    for path in sorted([http / "hatch_build.py", *(http / "src").rglob("*.py")]):
        digest.update(path.read_bytes())  # a non-editable install: rebuild on any change
    want = digest.hexdigest()
    marker = COMPILED_VENV / ".web-fingerprint"
    python = _bin(COMPILED_VENV, "python")
    if not (python.exists() and marker.exists() and marker.read_text() == want):
        print(f"building {COMPILED_VENV.name} (web-http compiled with mypyc)", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(COMPILED_VENV)
        pip: list[str | Path] = [
            python,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
        ]
        editable: list[str | Path] = []
        for name in COMPILED_PACKAGES:
            if name == "web-http":
                continue
            editable += ["-e", ROOT / "packages" / name]
        os.environ["WEB_COMPILE"] = "1"
        try:
            # the runtime dependencies too: mypyc type-checks web-http against them
            tools = [*COMPILED_TOOLS, *runtime_requirements(COMPILED_PACKAGES)]
            ok = _run([*pip, *tools]) == 0 and (
                _run([*pip, "--no-build-isolation", http, *editable]) == 0
            )
        finally:
            del os.environ["WEB_COMPILE"]
        if not ok:
            print("compiled web-http: the build failed (see pip's output above)", flush=True)
            return None
        marker.write_text(want)
    probe = "import web_http._request_parser as m; print(m.__file__)"
    where = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if where.returncode or not where.stdout.strip().endswith((".so", ".pyd")):
        print(f"compiled web-http: not compiled after the build: {where.stdout}{where.stderr}")
        return None
    return python


def cmd_compiled(args: argparse.Namespace) -> int:
    """Build the compiled web-http and run the unit tests of it and the packages above it."""
    python = ensure_compiled_env()
    if python is None:
        return 1
    tests = [ROOT / "packages" / name / "tests" for name in COMPILED_TESTED]
    return Tally().pytest(python, tests)


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
    if not args.no_compiled:
        compiled = ensure_compiled_env()
        tests = [ROOT / "packages" / name / "tests" for name in COMPILED_TESTED]
        if compiled is None or tally.pytest(compiled, tests) != 0:
            failed.append("compiled web-http")
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
    check.add_argument(
        "--no-compiled", action="store_true", help="skip the mypyc build of web-http and its tests"
    )
    check.set_defaults(func=cmd_check)
    compiled = sub.add_parser(
        "compiled", help="build web-http with mypyc into .venv-compiled and run the tests on it"
    )
    compiled.set_defaults(func=cmd_compiled)
    types = sub.add_parser("types", help="mypy --strict over sources and tests")
    types.add_argument("--no-venv", action="store_true")
    types.set_defaults(func=cmd_types)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
