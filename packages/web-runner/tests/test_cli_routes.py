"""``routes``: the table of an app's routes, sub-apps and domains included, and the CLI's flags."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from web_app import Application, Response
from web_runner import main
from web_runner._cli_routes import RouteRow, format_routes, route_rows


async def index(request: object) -> Response:
    return Response(text="index")


class Handlers:
    async def show(self, request: object) -> Response:
        return Response(text="show")


def make_app() -> Application:
    app = Application()
    app.router.add_get("/", index, name="index")
    api = Application()
    api.router.add_route("PUT", "/items/{id}", Handlers().show, name="put-item")
    app.add_subapp("/api/v1", api)
    other = Application()
    other.router.add_post("/hook", index)
    app.add_domain("*.example.com", other)
    return app


def test_rows_in_registration_order_with_prefixes_and_domains() -> None:
    here = __name__
    assert list(route_rows(make_app())) == [
        RouteRow("HEAD", "/", "index", f"{here}.index"),  # add_get adds HEAD first
        RouteRow("GET", "/", "index", f"{here}.index"),
        RouteRow("PUT", "/api/v1/items/{id}", "put-item", f"{here}.Handlers.show"),
        RouteRow("POST", "*.example.com/hook", "", f"{here}.index"),
    ]


def test_static_routes_name_their_folder(tmp_path: Path) -> None:
    pytest.importorskip("web_static")  # add_static reaches up to web-static
    app = Application()
    app.router.add_static("/files", tmp_path, name="files")
    rows = list(route_rows(app))
    assert {row.method for row in rows} == {"GET", "HEAD"}
    assert all(row.path == "/files/{filename}" for row in rows)
    assert all(row.handler == f"static files from {tmp_path}" for row in rows)


def test_table_is_aligned_under_a_header() -> None:
    lines = format_routes(make_app()).splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "NAME", "HANDLER"]
    column = lines[0].index("PATH")
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines)


def test_routes_command_prints_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "routes_app.py").write_text(
        textwrap.dedent(
            """
            from web_app import Application, Response

            async def ping(request):
                return Response(text="pong")

            app = Application()
            app.router.add_get("/ping", ping, name="ping")

            async def make(argv):
                made = Application()
                made.router.add_delete("/" + argv[0], ping)
                return made
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["routes", "routes_app:app"]) == 0
    assert "GET     /ping  ping  routes_app.ping" in capsys.readouterr().out
    assert main(["routes", "routes_app:make", "things"]) == 0  # a factory gets the leftovers
    assert "DELETE  /things        routes_app.ping" in capsys.readouterr().out
