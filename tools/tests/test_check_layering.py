"""The layering check itself: it must fail on each kind of wrong import and pass a clean tree."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layering", TOOLS / "check_layering.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layering"] = module
    spec.loader.exec_module(module)
    return module


check_layering = _load()


def _package(root: Path, dist: str, module: str, deps: list[str], code: str) -> Path:
    pkg = root / "packages" / dist
    (pkg / "src" / module).mkdir(parents=True)
    (pkg / "tests").mkdir()
    deps_toml = ", ".join(f'"{d}"' for d in deps)
    (pkg / "pyproject.toml").write_text(
        f'[project]\nname = "{dist}"\nversion = "0"\ndependencies = [{deps_toml}]\n'
    )
    (pkg / "src" / module / "__init__.py").write_text(code)
    return pkg


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _package(tmp_path, "web-http", "web_http", ["multidict", "yarl"], "import multidict\n")
    _package(tmp_path, "web-routing", "web_routing", ["yarl"], "from yarl import URL\n")
    _package(
        tmp_path,
        "web-app",
        "web_app",
        ["web-http", "web-routing", "aiosignal"],
        "import asyncio\nimport web_http\nfrom web_routing import x\nimport aiosignal\n",
    )
    return tmp_path


def test_clean_tree_passes(tree: Path) -> None:
    assert check_layering.check_tree(tree) == []
    assert check_layering.main(["--root", str(tree)]) == 0


def test_lower_package_importing_upper_fails(tree: Path) -> None:
    init = tree / "packages" / "web-http" / "src" / "web_http" / "__init__.py"
    init.write_text("import web_app\n")
    messages = [str(v) for v in check_layering.check_tree(tree)]
    assert len(messages) == 1
    assert "web-http may not import web_app" in messages[0]
    assert check_layering.main(["--root", str(tree)]) == 1


def test_upper_import_fails_even_when_declared(tree: Path) -> None:
    pyproject = tree / "packages" / "web-routing" / "pyproject.toml"
    pyproject.write_text('[project]\nname = "web-routing"\ndependencies = ["yarl", "web-app"]\n')
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("from web_app import Application\n")
    [violation] = check_layering.check_tree(tree)
    assert "web-routing may not import web_app" in str(violation)


def test_peer_packages_may_not_import_each_other(tree: Path) -> None:
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("import web_http\n")
    [violation] = check_layering.check_tree(tree)
    assert "web-routing may not import web_http" in str(violation)


def test_undeclared_third_party_fails(tree: Path) -> None:
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("import multidict\n")
    [violation] = check_layering.check_tree(tree)
    assert "multidict is not a declared dependency of web-routing" in str(violation)


def test_aiohttp_is_refused_in_sources_and_tests(tree: Path) -> None:
    tests = tree / "packages" / "web-app" / "tests" / "test_x.py"
    tests.write_text("import pytest\nfrom aiohttp import web\n")
    [violation] = check_layering.check_tree(tree)
    assert "aiohttp may not be imported" in str(violation)
    assert violation.line == 2


def test_tests_may_use_test_tools_and_relative_modules(tree: Path) -> None:
    tests = tree / "packages" / "web-http" / "tests"
    (tests / "helpers.py").write_text("import hypothesis\n")
    (tests / "test_y.py").write_text("import pytest\nimport helpers\nimport web_http\n")
    assert check_layering.check_tree(tree) == []


def test_upward_import_inside_a_function_is_the_allowed_lazy_reach(tree: Path) -> None:
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("def add_static():\n    import web_static\n    return web_static\n")
    assert check_layering.check_tree(tree) == []
    init.write_text("import web_static\n")
    [violation] = check_layering.check_tree(tree)
    assert "web-routing may not import web_static" in str(violation)
