"""The long fuzz run: every sans-IO codec's fuzz target, coverage-guided, for a time budget.

    .venv/bin/python tools/fuzz.py --seconds 600            # all six targets, 100 s each
    .venv/bin/python tools/fuzz.py --target chunked_decoder --seconds 60

The targets (and their seed inputs) are the ones the README's check runs briefly with
hypothesis: ``TARGETS``/``SEEDS`` in packages/web-http/tests/test_fuzz_codecs.py and
packages/web-websocket/tests/test_fuzz_codecs.py. Here atheris (libFuzzer) drives them: it
learns from coverage which inputs reach new code, which random examples do not. Each target
runs in its own process with a per-input timeout; its corpus grows in .fuzz/<target>/ and
a crashing input is saved to .fuzz/crashes/ (replay it with ``--replay FILE``). Where
atheris is not installed (it has wheels for Linux only), ``--engine hypothesis`` runs the
same targets with hypothesis for the same budget.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TARGET_FILES = (
    ROOT / "packages/web-http/tests/test_fuzz_codecs.py",
    ROOT / "packages/web-websocket/tests/test_fuzz_codecs.py",
)
WORK = ROOT / ".fuzz"
#: Seconds one input may take before libFuzzer calls it a hang.
INPUT_TIMEOUT = 10


def _load(path: Path) -> ModuleType:
    name = "fuzz_" + path.parent.parent.name.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _modules() -> dict[str, ModuleType]:
    """Each target's name and the module that defines it."""
    found: dict[str, ModuleType] = {}
    for path in TARGET_FILES:
        module = _load(path)
        for name in module.TARGETS:
            found[name] = module
    return found


def _atheris_child(name: str, libfuzzer_args: list[str]) -> None:
    """Run one target under atheris, in this process (libFuzzer owns it until the end)."""
    import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

    # coverage of our codecs only: instrumenting everything loaded takes minutes
    with atheris.instrument_imports(include=["web_http", "web_websocket", "multidict"]):
        module = _modules()[name]
    target: Callable[[bytes], None] = module.TARGETS[name]
    corpus = WORK / name
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(module.SEEDS[name]):
        (corpus / f"seed-{i}").write_bytes(seed)
    (WORK / "crashes").mkdir(exist_ok=True)
    atheris.Setup(
        [sys.argv[0], *libfuzzer_args, f"-artifact_prefix={WORK / 'crashes'}/{name}-", str(corpus)],
        target,
    )
    atheris.Fuzz()


def _hypothesis_run(name: str, seconds: float) -> int:
    """Run one target's hypothesis test in rounds of fresh random examples until time is up."""
    path = Path(_modules()[name].__file__ or "")
    deadline = time.monotonic() + seconds
    env = {**os.environ, "WEB_FUZZ_EXAMPLES": "2000"}
    rounds = 0
    while time.monotonic() < deadline:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"{path}::test_fuzz_{name}"]  # fmt: skip
        if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
            return 1
        rounds += 1
    print(f"{name}: {rounds * 2000} examples, no failure", flush=True)
    return 0


def _replay(path: Path) -> int:
    """Feed one saved input to its target (the file name starts with the target's name)."""
    targets = {name: m.TARGETS[name] for name, m in _modules().items()}
    name = next((n for n in targets if path.name.startswith(n)), None)
    if name is None:
        sys.exit(f"{path.name} does not start with a target name: {', '.join(targets)}")
    targets[name](path.read_bytes())
    print(f"{name}: {path} passes")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="total budget (default 600)")
    parser.add_argument("--target", action="append", help="only this target (repeatable)")
    parser.add_argument("--engine", choices=("atheris", "hypothesis"), default=None)
    parser.add_argument("--replay", type=Path, help="run one saved input and exit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        _atheris_child(args.child, rest)
        return 0
    if args.replay:
        return _replay(args.replay)
    names = args.target or list(_modules())
    engine = args.engine
    if engine is None:
        engine = "atheris" if importlib.util.find_spec("atheris") else "hypothesis"
    each = args.seconds / len(names)
    print(f"fuzzing {len(names)} targets with {engine}, {each:.0f} s each", flush=True)
    failed: list[str] = []
    for name in names:
        if engine == "hypothesis":
            code = _hypothesis_run(name, each)
        else:
            cmd = [sys.executable, __file__, "--child", name,
                   f"-max_total_time={max(1, int(each))}", f"-timeout={INPUT_TIMEOUT}",
                   "-rss_limit_mb=2048", "-print_final_stats=1"]  # fmt: skip
            code = subprocess.call(cmd, env={**os.environ, "PYTHONHASHSEED": "0"})
        print(f"{name}: {'ok' if code == 0 else f'FAILED (exit {code})'}", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"crashes in: {', '.join(failed)} (inputs in {WORK / 'crashes'})")
        return 1
    print("fuzzing found no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
