"""HTTP/2 for our application through Hypercorn: TLS with ALPN h2, httpx with http2=True."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from asgi_servers import BIG_SIZE, Served, start

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(certfile)
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(certfile, append=True)
    cert.private_key_pem.write_to_path(keyfile)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return client, certfile, keyfile


@pytest.fixture(scope="module")
def h2_server(
    tmp_path_factory: pytest.TempPathFactory,
    static_dir: Path,
    tls: tuple[ssl.SSLContext, Path, Path],
) -> Iterator[Served]:
    _, certfile, keyfile = tls
    events = tmp_path_factory.mktemp("h2") / "events.txt"
    served = start(
        "hypercorn",
        events,
        static_dir,
        extra=("--certfile", str(certfile), "--keyfile", str(keyfile)),
    )
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
async def client(
    h2_server: Served, tls: tuple[ssl.SSLContext, Path, Path]
) -> AsyncIterator[httpx.AsyncClient]:
    base = f"https://127.0.0.1:{h2_server.port}"
    async with httpx.AsyncClient(base_url=base, http2=True, verify=tls[0], timeout=10) as c:
        yield c


async def test_requests_over_http2(client: httpx.AsyncClient) -> None:
    resp = await client.get("/")
    assert resp.http_version == "HTTP/2"
    assert resp.text == "hello"
    assert resp.headers["x-middleware"] == "yes"
    info = (await client.get("/info?q=1")).json()
    assert info["scheme"] == "https"
    assert info["secure"] is True
    assert info["version"] == [2, 0]
    assert info["host"].startswith("127.0.0.1")
    assert (await client.get("/sub/hi/h2")).text == "sub h2"
    assert (await client.get("/nope")).status_code == 404
    assert (await client.get("/fail")).status_code == 500


async def test_bodies_and_streams_over_http2(client: httpx.AsyncClient, static_dir: Path) -> None:
    big = bytes(range(256)) * 2000
    echoed = await client.post("/echo", content=big)
    assert echoed.http_version == "HTTP/2"
    assert echoed.content == big

    async def body() -> AsyncIterator[bytes]:
        for _ in range(32):
            yield b"z" * 65536

    assert (await client.post("/upload", content=body())).json() == {"size": 32 * 65536}
    streamed = await client.get("/stream")
    assert streamed.text == "".join(f"part {i}\n" for i in range(5))
    data = (static_dir / "big.bin").read_bytes()
    whole = await client.get("/static/big.bin")
    assert whole.headers["content-length"] == str(BIG_SIZE)
    assert whole.content == data
    part = await client.get("/static/big.bin", headers={"range": "bytes=5-14"})
    assert part.status_code == 206
    assert part.content == data[5:15]
