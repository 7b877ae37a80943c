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
    assert check_layering.main(["--root", str(tree), "--no-allow"]) == 0


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


def test_upward_import_inside_a_function_fails_too(tree: Path) -> None:
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("def add_static():\n    import web_static\n    return web_static\n")
    [violation] = check_layering.check_tree(tree)
    assert "web-routing may not import web_static (even inside a function)" in str(violation)
    assert violation.line == 2


def test_upward_import_through_importlib_fails_too(tree: Path) -> None:
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    code = "import importlib\ndef add_static():\n    return importlib.import_module('web_static')\n"
    init.write_text(code)
    [violation] = check_layering.check_tree(tree)
    assert "web-routing may not import web_static (even inside a function)" in str(violation)
    assert violation.line == 3


def _module(tree: Path, dist: str, name: str, code: str) -> None:
    package = dist.replace("-", "_")
    (tree / "packages" / dist / "src" / package / f"{name}.py").write_text(code)


def test_module_level_cycle_in_a_package_fails(tree: Path) -> None:
    _module(tree, "web-app", "_a", "from web_app._b import B\n")
    _module(tree, "web-app", "_b", "from . import _c\n")
    _module(tree, "web-app", "_c", "from ._a import A\n")
    [violation] = check_layering.check_tree(tree)
    assert "import cycle in web_app among _a, _b, _c (e.g. _a -> _b -> _c -> _a)" in str(violation)
    assert violation.path.name == "_a.py" and violation.line == 1


def test_type_checking_import_closes_a_cycle(tree: Path) -> None:
    _module(tree, "web-app", "_a", "from ._b import B\n")
    code = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._a import A\n"
    _module(tree, "web-app", "_b", code)
    [violation] = check_layering.check_tree(tree)
    assert "import cycle in web_app among _a, _b" in str(violation)


def test_import_inside_a_function_still_closes_a_cycle(tree: Path) -> None:
    _module(tree, "web-app", "_a", "from ._b import B\n")
    _module(tree, "web-app", "_b", "def f():\n    from ._a import A\n    return A\n")
    [violation] = check_layering.check_tree(tree)
    assert "import cycle in web_app among _a, _b (e.g. _a -> _b -> _a)" in str(violation)


def test_a_shared_types_leaf_and_a_lazy_downward_import_are_fine(tree: Path) -> None:
    _module(tree, "web-app", "_types", "from typing import Protocol\nclass AL(Protocol): ...\n")
    _module(tree, "web-app", "_a", "from ._types import AL\nfrom ._b import B\n")
    _module(tree, "web-app", "_b", "from ._types import AL\ndef f():\n    from ._c import C\n")
    _module(tree, "web-app", "_c", "import json\n")
    assert check_layering.check_tree(tree) == []


def test_cycle_inside_a_subpackage_and_through_parent_relative_imports_fails(tree: Path) -> None:
    sub = tree / "packages" / "web-app" / "src" / "web_app" / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (sub / "_x.py").write_text("from .._a import A\n")
    _module(tree, "web-app", "_a", "from .sub import _x\n")
    [violation] = check_layering.check_tree(tree)
    assert "import cycle in web_app among _a, sub._x (e.g. _a -> sub._x -> _a)" in str(violation)
    assert violation.path == sub.parent / "_a.py"


def test_a_subpackage_importing_down_is_fine(tree: Path) -> None:
    sub = tree / "packages" / "web-app" / "src" / "web_app" / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("from ._x import X\n")
    (sub / "_x.py").write_text("from web_app._a import A\nfrom . import _y\n")
    (sub / "_y.py").write_text("import json\n")
    _module(tree, "web-app", "_a", "A = 1\n")
    assert check_layering.check_tree(tree) == []


def test_submodule_importing_its_package_init_is_a_cycle(tree: Path) -> None:
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text("from ._a import A\n")
    _module(tree, "web-app", "_a", "from web_app import Other\n")
    [violation] = check_layering.check_tree(tree)
    assert "among __init__, _a" in str(violation)


def test_importing_another_packages_private_module_or_name_fails(tree: Path) -> None:
    _module(tree, "web-http", "_parser", "class Parser: ...\n_helper = 1\n")
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text("from web_http._parser import Parser\nfrom web_http import _helper\n")
    messages = sorted(v.message for v in check_layering.check_tree(tree))
    assert messages == [
        "imports the private module web_http._parser",
        "imports the private name web_http._helper",
    ]


def test_own_private_modules_are_fine(tree: Path) -> None:
    _module(tree, "web-app", "_x", "from web_app._y import Y\n")
    _module(tree, "web-app", "_y", "class Y:\n    def _hidden(self): ...\n")
    assert check_layering.check_tree(tree) == []


ROUTING = "class Resource:\n    _secret = 1\n    def __init__(self):\n        self._state = 0\n"


def test_subclass_overriding_or_using_a_foreign_private_member_fails(tree: Path) -> None:
    _module(tree, "web-routing", "_res", ROUTING)
    init = tree / "packages" / "web-routing" / "src" / "web_routing" / "__init__.py"
    init.write_text("from ._res import Resource\n")
    code = (
        "from web_routing import Resource\n"
        "class Mine(Resource):\n"
        "    _secret = 2\n"
        "    def go(self):\n"
        "        return self._state + self._mine\n"
    )
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text(code)
    messages = sorted(v.message for v in check_layering.check_tree(tree))
    assert messages == [
        "uses the private member web_routing.Resource._secret",
        "uses the private member web_routing.Resource._state",
    ]


def test_private_attribute_of_an_imported_class_or_object_fails(tree: Path) -> None:
    _module(tree, "web-routing", "_res", ROUTING)
    code = (
        "from web_routing import Resource\n"
        "Resource._secret = 3\n"
        "def f(res):\n"
        "    return res._state\n"
        "def g(own):\n"
        "    return own._local\n"
        "class Own:\n"
        "    _local = 1\n"
    )
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text(code)
    messages = sorted((v.line, v.message) for v in check_layering.check_tree(tree))
    assert messages == [
        (2, "uses the private name Resource._secret of web_routing"),
        (4, "uses the private member web_routing.Resource._state"),
    ]


TYPED_ROUTING = (
    "class Base:\n"
    "    def __init__(self):\n"
    "        self._state = 0\n"
    "class Resource(Base):\n"
    "    def _handle(self): ...\n"
)


def test_private_member_through_a_typed_name_fails_even_when_defined_locally(tree: Path) -> None:
    # web-app defines its own _handle and _state, so only the type of the name can tell
    _module(tree, "web-routing", "_res", TYPED_ROUTING)
    code = (
        "import web_routing\n"
        "from web_routing import Resource as Res\n"
        "class Own:\n"
        "    _state = 1\n"
        "    def _handle(self): ...\n"
        "def f(res: Res):\n"
        "    return res._handle()\n"
        "def g(res: 'Res | None', own: Own, anything, many: list[Res]):\n"
        "    return res._state, own._handle(), anything._handle(), many._handle\n"
        "def h(res: web_routing.Resource):\n"
        "    return res._handle, res._not_a_member\n"
        "built = Res()\n"
        "built._handle()\n"
        "class Holder:\n"
        "    def __init__(self, res: Res) -> None:\n"
        "        self._res: Res = res\n"
        "    def go(self):\n"
        "        return self._res._handle(), self._handle\n"
    )
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text(code)
    messages = sorted((v.line, v.message) for v in check_layering.check_tree(tree))
    assert messages == [
        (7, "uses the private member web_routing.Resource._handle"),
        (9, "uses the private member web_routing.Resource._state"),
        (11, "uses the private member web_routing.Resource._handle"),
        (13, "uses the private member web_routing.Resource._handle"),
        (18, "uses the private member web_routing.Resource._handle"),
    ]


def test_private_member_of_a_class_in_a_subpackage_fails(tree: Path) -> None:
    sub = tree / "packages" / "web-routing" / "src" / "web_routing" / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (sub / "_res.py").write_text(ROUTING)
    init = tree / "packages" / "web-app" / "src" / "web_app" / "__init__.py"
    init.write_text("def f(res):\n    return res._state\n")
    [violation] = check_layering.check_tree(tree)
    assert violation.message == "uses the private member web_routing.Resource._state"


def test_allow_list_hides_known_violations_and_fails_when_stale(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = tree / "packages" / "web-http" / "src" / "web_http" / "__init__.py"
    init.write_text("import web_app\n")
    key = "packages/web-http/src/web_http/__init__.py: web-http may not import web_app"
    [violation] = check_layering.check_tree(tree)
    assert violation.key(tree).startswith(key)
    allow = tree / "allow.txt"
    allow.write_text(f"# known\n{violation.key(tree)}\n")
    args = ["--root", str(tree), "--allow-list", str(allow)]
    assert check_layering.main(args) == 0
    assert "allowed (issue 13)" in capsys.readouterr().out
    assert check_layering.main([*args, "--no-allow"]) == 1
    init.write_text("import multidict\n")
    assert check_layering.main(args) == 1
    assert "stale allow-list entry" in capsys.readouterr().out
