"""Behind nginx, as docs/deployment.md shows: proxy_pass to a Unix socket and to TCP.

nginx is installed with apt-get when missing; the test is skipped, saying why, if it can't be.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

Spawn = Callable[..., subprocess.Popen[str]]
WaitServing = Callable[..., httpx.Response]

NGINX_CONF = """
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream app {{
        server {upstream};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@pytest.fixture
def run_nginx(
    nginx_with_conf: Callable[[str], subprocess.Popen[str]],
) -> Callable[[str, int], subprocess.Popen[str]]:
    def start(upstream: str, port: int) -> subprocess.Popen[str]:
        return nginx_with_conf(NGINX_CONF.format(tmp="{tmp}", upstream=upstream, port=port))

    return start


@pytest.mark.parametrize("upstream_kind", ["unix", "tcp"])
def test_nginx_proxy_pass(
    spawn: Spawn,
    run_nginx: Callable[[str, int], subprocess.Popen[str]],
    free_port: Callable[[], int],
    wait_serving: WaitServing,
    tmp_path: Path,
    upstream_kind: str,
) -> None:
    if upstream_kind == "unix":
        path = tmp_path / "app.sock"
        app = spawn("sample_app.py", json.dumps({"path": str(path)}))
        wait_serving("http://localhost/", app, transport=httpx.HTTPTransport(uds=str(path)))
        upstream = f"unix:{path}"
    else:
        app_port = free_port()
        app = spawn("sample_app.py", json.dumps({"host": "127.0.0.1", "port": app_port}))
        wait_serving(f"http://127.0.0.1:{app_port}/", app)
        upstream = f"127.0.0.1:{app_port}"
    port = free_port()
    proxy = run_nginx(upstream, port)
    reply = wait_serving(f"http://127.0.0.1:{port}/", proxy)
    assert (reply.status_code, reply.text) == (200, "hello")
    assert reply.headers["server"].startswith("nginx")
    with httpx.Client() as client:  # keep-alive to nginx, and nginx keeps the upstream busy
        bodies = [client.get(f"http://127.0.0.1:{port}/slow?t=0&size=50000") for _ in range(5)]
    assert all(r.status_code == 200 and len(r.content) == 50_000 for r in bodies)
    app.send_signal(signal.SIGTERM)
    app.communicate(timeout=10)
    assert app.returncode == 0
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 502
