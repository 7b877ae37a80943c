"""An HTTPS test server (ssl=) and a client that trusts its certificate."""

from __future__ import annotations

import ssl

import pytest
import web
from web_testing import TestClient, TestServer

trustme = pytest.importorskip("trustme")


async def scheme(request: web.Request) -> web.Response:
    return web.Response(text=f"{request.scheme} {request.secure}")


async def test_https_server_and_client() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    app = web.Application()
    app.router.add_get("/", scheme)
    server = TestServer(app)
    await server.start_server(ssl=server_ctx)
    async with TestClient(server, ssl=client_ctx) as client:
        assert server.scheme == "https"
        assert str(client.make_url("/")).startswith("https://127.0.0.1:")
        resp = await client.get("/")
        assert await resp.text() == "https True"


async def test_ssl_must_be_a_context() -> None:
    app = web.Application()
    server = TestServer(app)
    with pytest.raises(TypeError, match="SSLContext"):
        await server.start_server(ssl=True)
    assert not server.started
