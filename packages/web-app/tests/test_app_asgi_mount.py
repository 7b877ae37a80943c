"""Application.add_asgi runs what web-asgi registers; web-app itself never imports web-asgi."""

from __future__ import annotations

from typing import Any

import pytest
from web_app import Application
from web_routing import AbstractResource, PlainResource


async def _asgi(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("not called")


def test_add_asgi_without_web_asgi_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Application, "asgi_mount", None)
    with pytest.raises(RuntimeError, match="needs the web-asgi package"):
        Application().add_asgi("/m", _asgi)


def test_add_asgi_runs_the_registered_mount(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Application, str, object]] = []
    resource = PlainResource("/m")

    def mount(app: Application, prefix: str, asgi_app: object) -> AbstractResource:
        calls.append((app, prefix, asgi_app))
        return resource

    monkeypatch.setattr(Application, "asgi_mount", mount)
    app = Application()
    assert app.add_asgi("/m", _asgi) is resource
    assert calls == [(app, "/m", _asgi)]
