"""``web.forwarded_middleware`` behind a real nginx (installed with apt-get when missing).

The client connects from 127.0.0.2, nginx forwards from 127.0.0.1: the app must report the
client's address only when it trusts nginx, and refuse a malformed chain nginx passes on.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import httpx
import pytest
import web
from support import serve

NGINX_CONF = """
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {
        listen 127.0.0.1:PORT;
        location /x/ {
            proxy_pass http://127.0.0.1:APP;
            proxy_set_header Host internal;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host $host;
        }
        location /f/ {
            proxy_pass http://127.0.0.1:APP;
            proxy_set_header Host internal;
            proxy_set_header Forwarded "for=$remote_addr;proto=https;host=$host";
        }
    }
}
"""


def echo_app(**options: object) -> web.Application:
    app = web.Application(middlewares=[web.forwarded_middleware(**options)])  # type: ignore[arg-type]

    async def echo(request: web.Request) -> web.StreamResponse:
        info = {"remote": request.remote, "scheme": request.scheme, "host": request.host}
        return web.json_response({**info, "secure": request.secure})

    app.router.add_get("/{tail:.*}", echo)
    return app


async def wait_proxy(client: httpx.AsyncClient, url: str, proc: subprocess.Popen[str]) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            pytest.fail(f"nginx exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            await client.get(url)
            return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    pytest.fail("nginx did not start listening")


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
async def test_behind_nginx(
    nginx_with_conf: Callable[[str], subprocess.Popen[str]],
    free_port: Callable[[], int],
    trusted: bool,
) -> None:
    app = echo_app(trusted=["127.0.0.1/32"] if trusted else ["10.0.0.0/8"])
    async with serve(app) as app_url:
        port = free_port()
        conf = NGINX_CONF.replace("PORT", str(port)).replace("APP", app_url.rsplit(":", 1)[1])
        proc = nginx_with_conf(conf)
        base = f"http://127.0.0.1:{port}"
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(transport=transport, base_url=base, timeout=5) as client:
            await wait_proxy(client, "/x/", proc)
            plain = await client.get("/x/", headers={"Host": "shop.example"})
            forwarded = await client.get("/f/", headers={"Host": "shop.example"})
            # A client's own header is kept by nginx and extended: still the real address.
            spoofed = await client.get("/x/", headers={"X-Forwarded-For": "203.0.113.9"})
            malformed = await client.get("/x/", headers={"X-Forwarded-For": "garbage!!"})
    if trusted:
        expected = {"remote": "127.0.0.2", "scheme": "https", "secure": True}
        assert plain.json() == {**expected, "host": "shop.example"}
        assert forwarded.json() == {**expected, "host": "shop.example"}
        assert spoofed.json()["remote"] == "127.0.0.2"  # hops=1: only nginx's own entry
        assert malformed.status_code == 400
        assert "X-Forwarded-For" in malformed.text
    else:
        # nginx is not trusted: every proxy header is ignored, garbage included
        for resp in (plain, forwarded, spoofed, malformed):
            assert resp.status_code == 200
            assert resp.json() == {
                "remote": "127.0.0.1",
                "scheme": "http",
                "secure": False,
                "host": "internal",
            }
