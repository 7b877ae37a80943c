"""Check that every package imports only what it may, in one direction.

Rules (each violation is one line; exit 1 if any is not in ALLOWED below):

- Dependencies: an import in `packages/<name>/src` must be the standard library, the package
  itself, or a declared dependency (its `[project] dependencies` or an extra). A workspace package
  may only import packages below it in DESIGN.md's table, so an upward import fails even when
  declared, and even inside a function body (no lazy reach upwards: the upper package registers
  itself from above instead); `importlib.import_module("name")` with a literal name counts as an
  import. aiohttp may not be imported anywhere under `packages/`. Tests of a package may also
  use the test tools.
- Cycles: the modules of one package may not import each other in a loop. Every import counts:
  under `if TYPE_CHECKING:` (a type-only loop is still a loop for the reader) and inside a
  function body (an import moved into a function hides a loop, it does not cut it). Types that
  two modules share belong in a leaf module below both (by convention `_types.py`, `_abc.py` or
  `abc.py`); an upper module that a lower one must reach registers itself at import instead.
- Privacy: a package's sources use only another workspace package's public names: no import of
  an underscore module or name of it, no `Name._private` on a class imported from it, no override
  or use through `self` of a private member of a base class from it, no `obj._private` where
  `_private` is a member name defined only in the packages it depends on, and no `obj._private`
  where `obj` is annotated (or constructed) as another package's class that has `_private`,
  even when the calling package defines a member of that name too.

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


# Today's known violations, one line-free key (see Violation.key) per line of this file. Each is a
# debt of issue 13, removed when fixed; an entry that no longer matches anything fails the check,
# so the list can only shrink.
ALLOW_LIST = Path(__file__).resolve().parent / "layering-allow.txt"


def _allowed(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def key(self, root: Path) -> str:
        """Path and message without the line number, stable while others edit the file."""
        try:
            path = self.path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            path = self.path.as_posix()
        return f"{path}: {self.message}"


def _dist_key(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _imports_of(dist: str) -> set[str]:
    return IMPORT_NAMES.get(dist, {dist.replace("-", "_")})


def _function_nodes(tree: ast.AST) -> set[int]:
    """The ids of every node inside a function body (imports there run at call time)."""
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner |= {id(child) for child in ast.walk(node) if child is not node}
    return inner


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _dynamic_import(node: ast.AST) -> str | None:
    """The module of ``importlib.import_module("x")`` / ``__import__("x")`` with a literal name."""
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = node.args[0]
    if name not in ("import_module", "__import__") or not isinstance(first, ast.Constant):
        return None
    value = first.value
    return value if isinstance(value, str) and value and not value.startswith(".") else None


def _imported_modules(path: Path) -> Iterator[tuple[int, str, bool]]:
    """Yield (line, top-level module, lazy) for each absolute import; lazy = inside a function.

    ``importlib.import_module("name")`` with a literal name is an import too (a hidden one).
    """
    tree = _parse(path)
    lazy_nodes = _function_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0], id(node) in lazy_nodes
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0], id(node) in lazy_nodes
        elif (dynamic := _dynamic_import(node)) is not None:
            yield getattr(node, "lineno", 1), dynamic.split(".")[0], id(node) in lazy_nodes


def _allowed_lower(dist: str) -> set[str]:
    if dist not in LAYERS:
        return set()
    below = set(LAYERS[: LAYERS.index(dist)])
    for group in PEERS:
        if dist in group:
            below -= group
    return below


def _project(pkg_dir: Path) -> dict[str, object]:
    meta: dict[str, object] = tomllib.loads((pkg_dir / "pyproject.toml").read_text())["project"]
    return meta


def _declared(meta: dict[str, object]) -> set[str]:
    deps = meta.get("dependencies", [])
    declared = {_dist_key(r) for r in deps} if isinstance(deps, list) else set()
    extras = meta.get("optional-dependencies", {})
    if isinstance(extras, dict):
        for extra in extras.values():
            declared |= {_dist_key(r) for r in extra}
    return declared


def check_package(pkg_dir: Path) -> list[Violation]:
    meta = _project(pkg_dir)
    dist = str(meta["name"])
    declared = _declared(meta)
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
                if target in workspace and target != dist and target not in lower:
                    where_ = " (even inside a function)" if lazy else ""
                    msg = f"{dist} may not import {module}{where_} ({target} is not below it)"
                    violations.append(Violation(path, line, msg))
                elif module not in allowed and module not in local:
                    msg = f"{module} is not a declared dependency of {dist}"
                    violations.append(Violation(path, line, msg))
    return violations


# --- cycles between the modules of one package -------------------------------------------------


def _package_modules(src: Path, package: str) -> dict[str, Path]:
    """Dotted module name inside ``package`` -> its file, subpackages included.

    The package itself is ``__init__``; a subpackage ``sub`` is ``sub`` (its ``__init__.py``)
    and its modules ``sub._x``.
    """
    root = src / package
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts) or "__init__"] = path
    return modules


def _containing(module: str, path: Path) -> str:
    """The dotted package a module's relative imports start from ("" for the top level)."""
    if module == "__init__":
        return ""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _module_edges(src: Path, package: str) -> dict[str, dict[str, int]]:
    """Module -> {imported module of the same package: line} for every import, wherever it sits."""
    modules = _package_modules(src, package)

    def known(dotted: str) -> str | None:
        # the longest prefix of `dotted` that is a module ("" is the package's __init__)
        parts = dotted.split(".") if dotted else []
        while parts:
            name = ".".join(parts)
            if name in modules:
                return name
            parts.pop()
        return None if dotted else "__init__"  # None: not a source module (an extension, say)

    edges: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        here = _containing(module, path)
        out: dict[str, int] = {}
        for node in ast.walk(_parse(path)):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == package:
                        targets.append(known(".".join(parts[1:])))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    up = here.split(".") if here else []
                    if node.level - 1 > len(up):
                        continue  # beyond the top of the package: not ours to check
                    up = up[: len(up) - (node.level - 1)]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                elif node.module and node.module.split(".")[0] == package:
                    base = ".".join(node.module.split(".")[1:])
                else:
                    continue
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.append(full if full in modules else known(base))
            for target in targets:
                if target and target != module:
                    out.setdefault(target, getattr(node, "lineno", 1))
        edges[module] = out
    return edges


def _strongly_connected(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def _one_loop(edges: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """A shortest loop through the component's first module, for the message."""
    start = component[0]
    members = set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges[node]):
            if nxt == start:
                return [*paths[node], start]
            if nxt in members and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return component  # pragma: no cover - a component always holds a loop


def check_cycles(pkg_dir: Path) -> list[Violation]:
    violations: list[Violation] = []
    src = pkg_dir / "src"
    for package in sorted(p.name for p in src.iterdir() if (p / "__init__.py").exists()):
        edges = _module_edges(src, package)
        for component in _strongly_connected(edges):
            loop = _one_loop(edges, component)
            path = _package_modules(src, package)[loop[0]]
            line = edges[loop[0]][loop[1]]
            msg = (
                f"import cycle in {package} among {', '.join(component)} (e.g. {' -> '.join(loop)})"
            )
            violations.append(Violation(path, line, msg))
    return violations


# --- private names across packages -------------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass
class _Class:
    package: str
    bases: list[str]
    members: set[str]


def _self_members(cls: ast.ClassDef) -> set[str]:
    """Private names a class defines: methods, class attributes, and self._x assignments."""
    found: set[str] = set()
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            found |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            found.add(stmt.target.id)
    for node in ast.walk(cls):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id in {"self", "cls"}
            ):
                found.add(target.attr)
    return {name for name in found if _private(name)}


def _class_level(cls: ast.ClassDef) -> list[ast.expr]:
    """The names a class body assigns directly (class attributes)."""
    found: list[ast.expr] = []
    for node in cls.body:
        if isinstance(node, ast.Assign):
            found += node.targets
        elif isinstance(node, ast.AnnAssign):
            found.append(node.target)
    return found


def _base_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


class _Index:
    """Classes and private member names of every workspace package's sources."""

    def __init__(self, root: Path) -> None:
        self.classes: dict[tuple[str, str], _Class] = {}
        self.defined: dict[str, set[str]] = {}
        self.dist_of: dict[str, str] = {}
        self.trees: dict[str, list[tuple[Path, ast.Module]]] = {}
        for pkg_dir in sorted((root / "packages").iterdir()):
            if not (pkg_dir / "pyproject.toml").exists():
                continue
            dist = str(_project(pkg_dir)["name"])
            for package_dir in sorted((pkg_dir / "src").iterdir()):
                if not (package_dir / "__init__.py").exists():
                    continue
                package = package_dir.name
                self.dist_of[package] = dist
                defined = self.defined.setdefault(package, set())
                trees = self.trees.setdefault(package, [])
                for path in sorted(package_dir.rglob("*.py")):
                    tree = _parse(path)
                    trees.append((path, tree))
                    defined.add(path.stem)
                    for node in ast.walk(tree):
                        if isinstance(node, ast.ClassDef):
                            bases = [b for b in map(_base_name, node.bases) if b]
                            members = _self_members(node)
                            self.classes[(package, node.name)] = _Class(package, bases, members)
                            defined |= members
                        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            defined.add(node.name)
                        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                            defined.add(node.id)

    def members(self, package: str, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Private members of a class including those it inherits inside its package."""
        cls = self.classes.get((package, name))
        if cls is None or name in seen:
            return set()
        found = set(cls.members)
        for base in cls.bases:
            found |= self.members(package, base, seen | {name})
        return found


def _imported_names(tree: ast.Module, workspace: dict[str, str]) -> dict[str, str]:
    """Local name -> the workspace package it was imported from (module-level or not)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in workspace:
                for alias in node.names:
                    names[alias.asname or alias.name] = top
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in workspace and alias.asname:
                    names[alias.asname] = top
    return names


def _imported_classes(
    tree: ast.Module, workspace: dict[str, str], index: _Index
) -> dict[str, tuple[str, str]]:
    """Local name -> (package, class) for each workspace class imported by name."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in workspace:
                for alias in node.names:
                    if (top, alias.name) in index.classes:
                        found[alias.asname or alias.name] = (top, alias.name)
    return found


class _TypedNames:
    """Which names and ``self`` attributes of a module are annotated as another package's class.

    ``def f(app: Application)``, ``app: Application | None = ...``, ``app = Application()``,
    ``self._app: Application`` (in any method or the class body) and ``web_app.Application``
    all type the name, flow-insensitively per function; containers (``list[Application]``) do
    not. ``app._handle`` on such a name is checked against that class's members, even when the
    calling package happens to define an ``_handle`` of its own.
    """

    def __init__(
        self, classes: dict[str, tuple[str, str]], packages: set[str], index: _Index
    ) -> None:
        self.classes = classes
        self.packages = packages
        self.index = index

    def of(self, ann: ast.expr | None) -> tuple[str, str] | None:
        """The foreign class an annotation (or constructor call) names, if exactly one."""
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.Call):
            ann = ann.func
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            sides = [
                side
                for side in (ann.left, ann.right)
                if not (isinstance(side, ast.Constant) and side.value is None)
            ]
            return self.of(sides[0]) if len(sides) == 1 else None
        if isinstance(ann, ast.Subscript) and _base_name(ann.value) == "Optional":
            return self.of(ann.slice)
        if isinstance(ann, ast.Name):
            return self.classes.get(ann.id)
        if (
            isinstance(ann, ast.Attribute)
            and isinstance(ann.value, ast.Name)
            and ann.value.id in self.packages
            and (ann.value.id, ann.attr) in self.index.classes
        ):
            return (ann.value.id, ann.attr)
        return None

    def uses(self, tree: ast.Module) -> Iterator[tuple[ast.Attribute, tuple[str, str]]]:
        """Each ``x._private`` whose ``x`` is typed as a foreign class, with that class."""
        yield from self._scope(tree, self._names(tree, top=True), {})

    def _names(self, scope: ast.AST, top: bool = False) -> dict[str, tuple[str, str]]:
        names: dict[str, tuple[str, str]] = {}
        nodes = ast.walk(scope) if not top else iter(getattr(scope, "body", []))
        for node in nodes:
            if isinstance(node, ast.arg):
                typed = self.of(node.annotation)
                if typed is not None:
                    names[node.arg] = typed
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                typed = self.of(node.annotation)
                if typed is not None:
                    names[node.target.id] = typed
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                typed = self.of(node.value)
                for target in node.targets:
                    if typed is not None and isinstance(target, ast.Name):
                        names[target.id] = typed
        return names

    def _self_attrs(self, cls: ast.ClassDef) -> dict[str, tuple[str, str]]:
        attrs: dict[str, tuple[str, str]] = {}
        for node in ast.walk(cls):
            if isinstance(node, ast.AnnAssign):
                target = node.target
                typed = self.of(node.annotation)
                if typed is None:
                    continue
                if isinstance(target, ast.Name) and node in cls.body:
                    attrs[target.id] = typed
                elif (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in {"self", "cls"}
                ):
                    attrs[target.attr] = typed
        return attrs

    def _scope(
        self,
        node: ast.AST,
        names: dict[str, tuple[str, str]],
        attrs: dict[str, tuple[str, str]],
    ) -> Iterator[tuple[ast.Attribute, tuple[str, str]]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from self._scope(child, names, self._self_attrs(child))
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from self._scope(child, {**names, **self._names(child)}, attrs)
                continue
            if isinstance(child, ast.Attribute) and _private(child.attr):
                value = child.value
                typed = None
                if isinstance(value, ast.Name):
                    typed = names.get(value.id)
                elif (
                    isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id in {"self", "cls"}
                ):
                    typed = attrs.get(value.attr)
                if typed is not None and child.attr in self.index.members(*typed):
                    yield child, typed
            yield from self._scope(child, names, attrs)


def check_privacy(root: Path) -> list[Violation]:
    index = _Index(root)
    violations: list[Violation] = []
    for package, trees in sorted(index.trees.items()):
        others = {p: d for p, d in index.dist_of.items() if p != package}
        # Names this package defines itself are its own business, whatever others call theirs.
        own = index.defined[package]
        foreign_members: dict[str, str] = {}
        for (other, cls_name), cls in sorted(index.classes.items()):
            if other in others:
                for member in cls.members - own:
                    foreign_members.setdefault(member, f"{other}.{cls_name}")
        for path, tree in trees:
            imported = _imported_names(tree, others)
            typed = _TypedNames(_imported_classes(tree, others, index), set(others), index)
            seen: set[tuple[int, str]] = set()
            reported: set[int] = set()

            def report(
                node: ast.AST,
                msg: str,
                path: Path = path,
                seen: set[tuple[int, str]] = seen,
                reported: set[int] = reported,
            ) -> None:
                reported.add(id(node))
                line = getattr(node, "lineno", 1)
                if (line, msg) not in seen:
                    seen.add((line, msg))
                    violations.append(Violation(path, line, msg))

            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    modules = (
                        [node.module or ""]
                        if isinstance(node, ast.ImportFrom)
                        else [a.name for a in node.names]
                    )
                    for module in modules:
                        parts = module.split(".")
                        if getattr(node, "level", 0) == 0 and parts[0] in others:
                            if any(_private(part) for part in parts[1:]):
                                report(node, f"imports the private module {module}")
                            elif isinstance(node, ast.ImportFrom):
                                for alias in node.names:
                                    if _private(alias.name):
                                        report(
                                            node, f"imports the private name {module}.{alias.name}"
                                        )
                elif isinstance(node, ast.ClassDef):
                    inherited: dict[str, str] = {}
                    for base in filter(None, map(_base_name, node.bases)):
                        origin = imported.get(base)
                        if origin is not None:
                            for member in index.members(origin, base):
                                inherited.setdefault(member, f"{origin}.{base}")
                    for inner in ast.walk(node):
                        name = None
                        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            name = inner.name
                        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                            name = inner.id if inner in _class_level(node) else None
                        elif (
                            isinstance(inner, ast.Attribute)
                            and isinstance(inner.value, ast.Name)
                            and inner.value.id in {"self", "cls"}
                        ):
                            name = inner.attr
                        if name in inherited:
                            report(inner, f"uses the private member {inherited[name]}.{name}")
                elif isinstance(node, ast.Attribute) and _private(node.attr):
                    value = node.value
                    if isinstance(value, ast.Name) and value.id in imported:
                        report(
                            node,
                            f"uses the private name {value.id}.{node.attr} of {imported[value.id]}",
                        )
                    elif isinstance(value, ast.Name) and value.id in {"self", "cls"}:
                        continue
                    elif node.attr in foreign_members:
                        report(
                            node,
                            f"uses the private member {foreign_members[node.attr]}.{node.attr}",
                        )
            # A private member this package also defines somewhere, on a name typed as
            # another package's class (the rule above cannot tell the two apart).
            for attr, (origin, cls_name) in typed.uses(tree):
                if id(attr) not in reported:
                    report(attr, f"uses the private member {origin}.{cls_name}.{attr.attr}")
    return violations


def check_tree(root: Path) -> list[Violation]:
    violations: list[Violation] = []
    for pkg_dir in sorted((root / "packages").iterdir()):
        if (pkg_dir / "pyproject.toml").exists():
            violations += check_package(pkg_dir)
            violations += check_cycles(pkg_dir)
    violations += check_privacy(root)
    return violations


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--allow-list", type=Path, default=ALLOW_LIST)
    parser.add_argument("--no-allow", action="store_true", help="ignore the allow-list")
    args = parser.parse_args(argv)
    violations = check_tree(args.root)
    allowed = frozenset() if args.no_allow else _allowed(args.allow_list)
    keys = {v.key(args.root) for v in violations}
    failing = [v for v in violations if v.key(args.root) not in allowed]
    known = [v for v in violations if v.key(args.root) in allowed]
    stale = sorted(allowed - keys)
    for violation in known:
        print(f"allowed (issue 13): {violation}")
    for violation in failing:
        print(violation)
    for entry in stale:
        print(f"stale allow-list entry (fixed? remove it from ALLOWED): {entry}")
    counts = f"{len(failing)} violation(s), {len(known)} allowed, {len(stale)} stale"
    print(f"layering: {counts}")
    return 1 if failing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
