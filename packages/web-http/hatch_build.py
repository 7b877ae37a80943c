"""The opt-in compiled build: ``WEB_COMPILE=1`` compiles the parser and serializer with mypyc.

    WEB_COMPILE=1 pip install packages/web-http          # a wheel with C extensions
    pip install packages/web-http                        # the default: pure Python

Without ``WEB_COMPILE=1`` (and for editable installs) this hook does nothing and the wheel is
the pure-Python one. With it, the modules in ``COMPILED`` are translated to C by mypyc (it
ships with mypy) and built with the C compiler of this Python; the wheel then holds both the
extension modules (imported first) and the ``.py`` sources they came from. README.md says
what it gains (measured) and why it is not the default.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The hot path of a request: framing, head parsing, field lines, events, response heads, bodies.
COMPILED = (
    "_body.py",
    "_events.py",
    "_headers.py",
    "_parser_base.py",
    "_request_parser.py",
    "_response_parser.py",
    "_serializer.py",
    "_streams.py",
)
BUILD_DEPENDENCIES = ["mypy>=1.11", "setuptools>=61"]


def compile_wanted() -> bool:
    """Whether this build asked for the compiled wheel (``WEB_COMPILE`` set to 1/true/yes)."""
    return os.environ.get("WEB_COMPILE", "").strip().lower() in ("1", "true", "yes")


def _missing_toolchain() -> str | None:
    """Why a C extension cannot be built here, or None."""
    for module in ("mypyc", "setuptools"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable; install {BUILD_DEPENDENCIES}"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler: {compiler!r} (this Python's CC) is not on PATH"
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").exists():
        return f"no Python headers: {include}/Python.h is missing (python3-dev)"
    return None


class CompileHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        return list(BUILD_DEPENDENCIES) if compile_wanted() else []

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable" or not compile_wanted():
            return
        problem = _missing_toolchain()
        if problem is not None:
            raise RuntimeError(f"WEB_COMPILE=1: cannot compile web-http: {problem}")
        self._work = Path(tempfile.mkdtemp(prefix="web-http-mypyc-"))
        out = self._work / "lib"
        for path in _build(Path(self.root) / "src", self._work, out):
            build_data["force_include"][str(path)] = str(path.relative_to(out))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _build(src: Path, work: Path, out: Path) -> list[Path]:
    """Translate ``COMPILED`` to C and build it; returns the extension files made in ``out``."""
    from mypyc.build import mypycify
    from setuptools import Distribution  # type: ignore[import-untyped]

    cwd = os.getcwd()
    os.chdir(src)  # module names come from the paths: web_http/_x.py is web_http._x
    try:
        extensions = mypycify(
            # mypy's cache in the work folder, not in the source tree
            ["--cache-dir", str(work / "mypy-cache"), *(f"web_http/{name}" for name in COMPILED)],
            opt_level="3",
            target_dir=str(work / "c"),
            group_name="web_http",
        )
        dist = Distribution({"name": "web-http", "ext_modules": extensions})
        build_ext = dist.get_command_obj("build_ext")
        build_ext.build_lib = str(out)
        build_ext.build_temp = str(work / "temp")
        dist.run_command("build_ext")
    finally:
        os.chdir(cwd)
    suffixes = (".so", ".pyd")
    made = [path for path in out.rglob("*") if path.suffix in suffixes]
    if len(made) < len(COMPILED):
        raise RuntimeError(f"WEB_COMPILE=1: mypyc built {len(made)} extensions: {made}")
    print(f"web-http: compiled {len(COMPILED)} modules with mypyc", file=sys.stderr)
    return made
