"""run_app in a real process on every kind of site: IPv4, IPv6, all interfaces, TLS, a Unix
socket and a socket passed in by the parent; each checked with a real client."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import trustme

Spawn = Callable[..., subprocess.Popen[str]]
WaitServing = Callable[..., httpx.Response]


def has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not has_ipv6(), reason="no IPv6 loopback on this machine")


def run_app_process(spawn: Spawn, **options: object) -> subprocess.Popen[str]:
    fds = options.get("sock_fds", [])
    assert isinstance(fds, list)
    return spawn("sample_app.py", json.dumps(options), pass_fds=fds)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    return out


@needs_ipv6
def test_ipv4_and_ipv6_hosts(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing
) -> None:
    port = free_port()
    proc = run_app_process(spawn, host=["127.0.0.1", "::1"], port=port)
    assert wait_serving(f"http://127.0.0.1:{port}/", proc).text == "hello"
    assert wait_serving(f"http://[::1]:{port}/", proc).text == "hello"
    out = stop(proc)
    assert f"Running on http://127.0.0.1:{port}, http://[::1]:{port} ====" in out


@needs_ipv6
def test_no_host_means_every_interface_both_families(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing
) -> None:
    port = free_port()
    proc = run_app_process(spawn, port=port)
    assert wait_serving(f"http://127.0.0.1:{port}/", proc).text == "hello"
    assert wait_serving(f"http://[::1]:{port}/", proc).text == "hello"
    assert f"Running on http://0.0.0.0:{port} ====" in stop(proc)


def test_tls_with_a_test_certificate(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing, tmp_path: Path
) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    port = free_port()
    proc = run_app_process(
        spawn, host="127.0.0.1", port=port, certfile=str(certfile), keyfile=str(keyfile)
    )
    reply = wait_serving(f"https://localhost:{port}/", proc, verify=client_context)
    assert (reply.status_code, reply.text) == (200, "hello")
    with pytest.raises(httpx.TransportError):  # plain HTTP on the TLS port is no answer
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    assert f"Running on https://127.0.0.1:{port} ====" in stop(proc)


def test_unix_socket_path(spawn: Spawn, wait_serving: WaitServing, tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    proc = run_app_process(spawn, path=str(path))
    reply = wait_serving("http://localhost/", proc, transport=httpx.HTTPTransport(uds=str(path)))
    assert reply.text == "hello"
    assert f"Running on http://unix:{path}: ====" in stop(proc)


def test_socket_passed_by_the_parent(spawn: Spawn, wait_serving: WaitServing) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    proc = run_app_process(spawn, sock_fds=[sock.fileno()])
    sock.close()  # the child owns it now
    assert wait_serving(f"http://127.0.0.1:{port}/", proc).text == "hello"
    assert f"Running on http://127.0.0.1:{port} ====" in stop(proc)
