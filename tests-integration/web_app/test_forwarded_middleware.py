"""``web.forwarded_middleware`` with httpx talking straight to the app (peer 127.0.0.x).

The same middleware behind a real nginx is tested in web_runner/test_forwarded_nginx.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import web
from support import ServeApp


def echo_app(**options: object) -> web.Application:
    app = web.Application(middlewares=[web.forwarded_middleware(**options)])  # type: ignore[arg-type]

    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "remote": request.remote,
                "scheme": request.scheme,
                "secure": request.secure,
                "host": request.host,
                "url": str(request.url),
            }
        )

    app.router.add_get("/", echo)
    return app


def client_from(address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address))


async def test_trusted_peer_x_forwarded(serve_app: ServeApp) -> None:
    app = echo_app(trusted=["127.0.0.1/32"])
    headers = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "shop.example",
    }
    async with serve_app(app) as url, client_from("127.0.0.1") as client:
        got = (await client.get(url, headers=headers)).json()
    assert got == {
        "remote": "203.0.113.9",
        "scheme": "https",
        "secure": True,
        "host": "shop.example",
        "url": "https://shop.example/",
    }


async def test_trusted_peer_forwarded_wins_over_x_forwarded(serve_app: ServeApp) -> None:
    app = echo_app(trusted=["127.0.0.0/8", "::1"])
    headers = {
        "Forwarded": 'for="[2001:db8::7]:4711";proto=https;host=api.example',
        "X-Forwarded-For": "198.51.100.1",
    }
    async with serve_app(app) as url, client_from("127.0.0.1") as client:
        got = (await client.get(url, headers=headers)).json()
    assert (got["remote"], got["scheme"], got["host"]) == ("2001:db8::7", "https", "api.example")


async def test_hops_walk_only_through_trusted_proxies(serve_app: ServeApp) -> None:
    app = echo_app(trusted=["127.0.0.0/8", "10.0.0.0/8"], hops=3)
    async with serve_app(app) as url, client_from("127.0.0.1") as client:
        through = await client.get(url, headers={"X-Forwarded-For": "203.0.113.9, 10.1.1.1"})
        # 198.51.100.5 is not a trusted proxy: what it claims (1.1.1.1) is not believed
        forged = await client.get(
            url, headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.5, 10.1.1.1"}
        )
    assert through.json()["remote"] == "203.0.113.9"
    assert forged.json()["remote"] == "198.51.100.5"


async def test_untrusted_peer_headers_are_ignored(serve_app: ServeApp) -> None:
    app = echo_app(trusted=["127.0.0.1/32"])
    headers = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "Forwarded": "for=198.51.100.1;proto=https",
    }
    async with serve_app(app) as url, client_from("127.0.0.2") as client:
        resp = await client.get(url, headers=headers)
        bad = await client.get(url, headers={"X-Forwarded-For": "garbage!!"})
    assert resp.json()["remote"] == "127.0.0.2"
    assert (resp.json()["scheme"], resp.json()["secure"]) == ("http", False)
    assert bad.status_code == 200  # not ours to judge: the headers were never read


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "garbage!!"},
        {"X-Forwarded-For": "203.0.113.9,,127.0.0.1"},
        {"X-Forwarded-For": "203.0.113.999"},
        {"X-Forwarded-For": ", ".join(["10.0.0.1"] * 100)},
        {"X-Forwarded-Proto": "gopher"},
        {"X-Forwarded-Host": "evil host"},
        {"Forwarded": "for=1.2.3.4;;"},
        {"Forwarded": "proto=https"},
        {"Forwarded": "for=1.2.3.4;proto=ftp"},
        {"Forwarded": 'for="unterminated'},
    ],
)
async def test_malformed_chain_from_trusted_peer_is_400(
    serve_app: ServeApp, headers: dict[str, str]
) -> None:
    async with serve_app(echo_app(trusted=["127.0.0.1"])) as url, client_from("127.0.0.1") as c:
        resp = await c.get(url, headers=headers)
    assert resp.status_code == 400
    assert resp.text.startswith("Bad proxy headers:")


def test_bad_configuration() -> None:
    with pytest.raises(ValueError, match="networks"):
        web.forwarded_middleware(trusted=["not-a-network"])
    with pytest.raises(ValueError, match="at least one"):
        web.forwarded_middleware(trusted=[])
    with pytest.raises(ValueError, match="hops"):
        web.forwarded_middleware(trusted=["::1"], hops=0)
    with pytest.raises(ValueError, match="enable"):
        web.forwarded_middleware(trusted=["::1"], forwarded=False, x_forwarded=False)


@pytest.mark.parametrize("trusted", [["unix"], ["127.0.0.1"]], ids=["unix-trusted", "tcp-only"])
async def test_unix_socket_peer(tmp_path: Path, trusted: list[str]) -> None:
    runner = web.AppRunner(echo_app(trusted=trusted))
    await runner.setup()
    path = tmp_path / "app.sock"
    await web.UnixSite(runner, str(path)).start()
    try:
        transport = httpx.AsyncHTTPTransport(uds=str(path))
        async with httpx.AsyncClient(transport=transport) as client:
            headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
            got = (await client.get("http://proxy.local/", headers=headers)).json()
            bad = await client.get("http://proxy.local/", headers={"X-Forwarded-For": "x"})
    finally:
        await runner.cleanup()
    if trusted == ["unix"]:
        assert (got["remote"], got["scheme"]) == ("203.0.113.9", "https")
        assert bad.status_code == 400
    else:
        assert got["remote"] != "203.0.113.9" and got["scheme"] == "http"
        assert bad.status_code == 200
