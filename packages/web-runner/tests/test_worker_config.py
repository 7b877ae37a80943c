"""The gunicorn workers' configuration edges (the serving itself is tested with real gunicorn in
tests-integration/web_runner/test_runner_gunicorn.py)."""

from __future__ import annotations

import importlib
import sys

import pytest
import web_runner
from web_runner import AccessLogger

pytest.importorskip("gunicorn")

from web_runner import _worker

GUNICORN_DEFAULT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def test_gunicorn_default_access_format_maps_to_ours() -> None:
    assert _worker._access_log_format(GUNICORN_DEFAULT) == AccessLogger.LOG_FORMAT
    assert _worker._access_log_format("%a %s") == "%a %s"


def test_gunicorn_style_custom_format_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        _worker._access_log_format("%(h)s %(s)s")


def test_workers_are_exported_lazily() -> None:
    assert web_runner.GunicornWebWorker is _worker.GunicornWebWorker
    assert issubclass(web_runner.GunicornUVLoopWebWorker, web_runner.GunicornWebWorker)
    with pytest.raises(AttributeError):
        _ = web_runner.NoSuchName


def test_missing_gunicorn_is_a_clear_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gunicorn", None)
    monkeypatch.setitem(sys.modules, "gunicorn.workers", None)
    monkeypatch.delitem(sys.modules, "web_runner._worker")
    monkeypatch.delattr(web_runner, "_worker")
    with pytest.raises(ImportError, match=r"web-runner\[gunicorn\]"):
        _ = web_runner.GunicornWebWorker
    monkeypatch.undo()
    importlib.import_module("web_runner._worker")


def test_missing_uvloop_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)
    worker = object.__new__(_worker.GunicornUVLoopWebWorker)
    with pytest.raises(RuntimeError, match=r"web-runner\[uvloop\]"):
        worker._new_loop()
