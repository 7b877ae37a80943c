"""The release tag check: a tag publishes only the version its package declares."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", TOOLS / "release.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["release"] = module
    spec.loader.exec_module(module)
    return module


release = _load()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    pkg = tmp_path / "packages" / "web-http"
    (pkg / "src" / "web_http").mkdir(parents=True)
    (pkg / "pyproject.toml").write_text('[project]\nname = "web-http"\n')
    (pkg / "src" / "web_http" / "__about__.py").write_text('__version__ = "0.2.0"\n')
    return tmp_path


def test_matching_tag_names_the_package(root: Path) -> None:
    assert release.check_tag("web-http-v0.2.0", root) == root / "packages" / "web-http"


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("web-http-v0.3.0", "tag says 0.3.0 but web-http declares 0.2.0"),
        ("web-nothing-v0.2.0", "no package named web-nothing"),
        ("web-http-0.2.0", "is not of the form"),
        ("v0.2.0", "is not of the form"),
    ],
)
def test_bad_tags_are_refused(root: Path, tag: str, reason: str) -> None:
    with pytest.raises(release.TagError, match=reason):
        release.check_tag(tag, root)


def test_every_real_package_declares_a_version() -> None:
    for package_dir in sorted((TOOLS.parent / "packages").iterdir()):
        version = release.package_version(package_dir)
        assert release.check_tag(f"{package_dir.name}-v{version}") == package_dir


def test_every_package_ships_py_typed_and_its_docs() -> None:
    for package_dir in sorted((TOOLS.parent / "packages").iterdir()):
        [source] = [p for p in (package_dir / "src").iterdir() if p.is_dir()]
        assert (source / "py.typed").exists(), package_dir.name
        assert (source / "__init__.py").exists(), package_dir.name
        for doc in ("README.md", "CHANGES.md", "pyproject.toml"):
            assert (package_dir / doc).stat().st_size > 0, f"{package_dir.name}/{doc}"
        assert any((package_dir / "tests").glob("test_*.py")), f"{package_dir.name} has no tests"
