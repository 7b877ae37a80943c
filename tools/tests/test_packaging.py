"""Every distribution's wheel, built for real, carries the metadata a user of PyPI relies on.

Licence file and expression, authors, project URLs, version ranges on sibling dependencies,
web-meta's extras, web-runner's console script, web-aiohttp-compat's startup hook, py.typed.
Also: tools/dev.py's small reader of runtime dependencies (used by `serve`, which has no
tomllib on 3.10) agrees with tomllib.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path
from types import ModuleType

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent.parent


def _load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "tools" / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load_dev()
PACKAGES: tuple[str, ...] = dev.PACKAGES


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["--disable-pip-version-check", "-w", str(out)]
        + [str(ROOT / "packages" / name) for name in PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    built = {}
    for name in PACKAGES:
        found = sorted(out.glob(f"{name.replace('-', '_')}-*.whl"))
        assert len(found) == 1, f"no wheel for {name}: {sorted(out.iterdir())}"
        built[name] = found[0]
    return built


def metadata(wheel: Path) -> tuple[Message, zipfile.ZipFile]:
    archive = zipfile.ZipFile(wheel)
    path = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    return Parser().parsestr(archive.read(path).decode()), archive


@pytest.mark.parametrize("name", PACKAGES)
def test_licence_authors_urls_and_typing(wheels: dict[str, Path], name: str) -> None:
    meta, archive = metadata(wheels[name])
    assert meta["Name"] == name
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    licence = next(n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
    assert archive.read(licence) == (ROOT / "LICENSE").read_bytes()
    assert "Apache License" in archive.read(licence).decode()
    assert meta["Author"] == "The web contributors"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL", []))
    assert set(urls) == {"Homepage", "Source", "Changelog", "Issues"}
    assert urls["Source"].endswith(f"/packages/{name}")
    assert urls["Changelog"].endswith(f"/packages/{name}/CHANGES.md")
    import_name = dev.IMPORT_NAMES[name]
    assert f"{import_name}/py.typed" in archive.namelist()
    assert meta["Requires-Python"] == ">=3.10"


@pytest.mark.parametrize("name", PACKAGES)
def test_sibling_dependencies_have_ranges(wheels: dict[str, Path], name: str) -> None:
    meta, _ = metadata(wheels[name])
    version = meta["Version"]
    major, minor = (int(part) for part in version.split(".")[:2])
    for requirement in meta.get_all("Requires-Dist", []):
        dist = requirement.split(";")[0].split("[")[0].split(">")[0].split("<")[0].strip()
        if dist in PACKAGES:
            assert f">={version}" in requirement, requirement
            assert f"<{major}.{minor + 1}" in requirement, requirement


def test_web_meta_extras(wheels: dict[str, Path]) -> None:
    meta, _ = metadata(wheels["web-meta"])
    assert set(meta.get_all("Provides-Extra", [])) == {
        "brotli",
        "zstd",
        "uvloop",
        "asgi",
        "gunicorn",
        "reload",
        "testing",
    }
    requires = meta.get_all("Requires-Dist", [])
    assert any(r.startswith("web-asgi") and "extra == 'asgi'" in r for r in requires)
    assert any(r.startswith("web-testing") and "extra == 'testing'" in r for r in requires)
    assert any(r.startswith("web-runner[reload]") and "extra == 'reload'" in r for r in requires)
    assert any(r.startswith("web-http[zstd]") and "extra == 'zstd'" in r for r in requires)


def test_web_aiohttp_compat_ships_its_startup_hook(wheels: dict[str, Path]) -> None:
    """The .pth at the top of site-packages is what makes WEB_AIOHTTP_COMPAT=1 work."""
    _, archive = metadata(wheels["web-aiohttp-compat"])
    assert archive.read("web_aiohttp_compat.pth").decode().strip() == (
        "import web_aiohttp_compat._startup"
    )
    assert "web_aiohttp_compat/_startup.py" in archive.namelist()


def test_web_runner_console_script_and_extras(wheels: dict[str, Path]) -> None:
    meta, archive = metadata(wheels["web-runner"])
    assert {"uvloop", "gunicorn", "reload"} <= set(meta.get_all("Provides-Extra", []))
    entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
    text = archive.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "web = web_runner._cli:script" in text


@pytest.mark.parametrize("name", PACKAGES)
def test_serves_dependency_reader_matches_tomllib(name: str) -> None:
    project = tomllib.loads((ROOT / "packages" / name / "pyproject.toml").read_text())["project"]
    third_party = sorted(
        req
        for req in project.get("dependencies", [])
        if req.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() not in PACKAGES
    )
    assert dev.runtime_requirements([name]) == third_party


def test_serve_packages_are_web_meta_and_what_it_depends_on() -> None:
    meta = tomllib.loads((ROOT / "packages" / "web-meta" / "pyproject.toml").read_text())
    siblings = {req.split(">")[0] for req in meta["project"]["dependencies"]}
    assert set(dev.SERVE_PACKAGES) == siblings | {"web-meta"}
