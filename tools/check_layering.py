"""Check that every package imports only what it may.

An import in `packages/<name>/src` must be the standard library, the package itself, or a declared
dependency of that package (its `[project] dependencies`, plus optional extras, which are imported
lazily). A package of the workspace may only import packages below it in DESIGN.md's table, so
an upward import fails even when someone declares it. The one exception is DESIGN.md's lazy
reach upwards: an import inside a function body, made at call time with a clear error. aiohttp
may not be imported anywhere under `packages/` (sources or tests). Tests of a package may also
use the test tools.

    python tools/check_layering.py [--root DIR]      # exit 1 and one line per violation
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# The package table of DESIGN.md, bottom first: a package may import only those listed before it.
LAYERS: tuple[str, ...] = (
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
# Same rank: neither may import the other.
PEERS = (
    {"web-http", "web-routing"},
    {"web-static", "web-websocket", "web-runner"},
    {"web-testing", "web-aiohttp-compat"},
)
# Distribution name -> the import names it provides, where they differ from the normalised name.
IMPORT_NAMES = {
    "web-meta": {"web"},
    "multidict": {"multidict"},
    "yarl": {"yarl"},
    "aiosignal": {"aiosignal"},
    "pytest-asyncio": {"pytest_asyncio"},
    "brotli": {"brotli", "brotlicffi"},
    "gunicorn": {"gunicorn"},
    "uvloop": {"uvloop"},
    "httpx": {"httpx"},
    "pytest": {"pytest", "_pytest"},
    "hypothesis": {"hypothesis"},
}
# What every package's tests may use besides the package's own dependencies.
TEST_TOOLS = {"pytest", "_pytest", "pytest_asyncio", "hypothesis"}
FORBIDDEN = {"aiohttp"}


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _dist_key(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _imports_of(dist: str) -> set[str]:
    return IMPORT_NAMES.get(dist, {dist.replace("-", "_")})


def _imported_modules(path: Path) -> Iterator[tuple[int, str, bool]]:
    """Yield (line, top-level module, lazy) for each absolute import; lazy = inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lazy_nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lazy_nodes |= {id(inner) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0], id(node) in lazy_nodes
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0], id(node) in lazy_nodes


def _allowed_lower(dist: str) -> set[str]:
    if dist not in LAYERS:
        return set()
    below = set(LAYERS[: LAYERS.index(dist)])
    for group in PEERS:
        if dist in group:
            below -= group
    return below


def check_package(pkg_dir: Path) -> list[Violation]:
    meta = tomllib.loads((pkg_dir / "pyproject.toml").read_text())["project"]
    dist = meta["name"]
    declared = {_dist_key(r) for r in meta.get("dependencies", [])}
    for extra in meta.get("optional-dependencies", {}).values():
        declared |= {_dist_key(r) for r in extra}
    own = {path.name for path in (pkg_dir / "src").iterdir() if path.is_dir()}
    workspace = set(LAYERS)
    lower = _allowed_lower(dist)
    import_to_dist = {imp: d for d in workspace | declared for imp in _imports_of(d)}
    stdlib = set(sys.stdlib_module_names)
    violations: list[Violation] = []
    for where in ("src", "tests"):
        allowed = {imp for d in declared for imp in _imports_of(d)} | own | stdlib
        if where == "tests":
            allowed |= TEST_TOOLS | {"conftest"}
        for path in sorted((pkg_dir / where).rglob("*.py")):
            local = {p.stem for p in path.parent.glob("*.py")}
            for line, module, lazy in _imported_modules(path):
                if module in FORBIDDEN:
                    violations.append(Violation(path, line, f"{module} may not be imported"))
                    continue
                target = import_to_dist.get(module)
                if lazy and where == "src" and target in workspace and target not in lower:
                    # DESIGN.md: an upper feature reached lazily at call time (add_static needs
                    # web-static), with a clear error when absent. Only inside a function.
                    continue
                if target in workspace and target != dist and target not in lower:
                    msg = f"{dist} may not import {module} ({target} is not below it)"
                    violations.append(Violation(path, line, msg))
                elif module not in allowed and module not in local:
                    msg = f"{module} is not a declared dependency of {dist}"
                    violations.append(Violation(path, line, msg))
    return violations


def check_tree(root: Path) -> list[Violation]:
    violations: list[Violation] = []
    for pkg_dir in sorted((root / "packages").iterdir()):
        if (pkg_dir / "pyproject.toml").exists():
            violations += check_package(pkg_dir)
    return violations


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    violations = check_tree(args.root)
    for violation in violations:
        print(violation)
    print(f"layering: {len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
