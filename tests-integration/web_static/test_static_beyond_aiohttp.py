"""Static files beyond aiohttp: multipart ranges, .zst siblings, index files, Cache-Control."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import os
import subprocess
from pathlib import Path

import httpx
import pytest
import web
from support import ServeApp, serve
from web_app._compression import _zstd as zstd

DATA = os.urandom(200_000)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "blob.bin").write_bytes(DATA)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.html").write_text("<h1>docs</h1>")
    (tmp_path / "empty").mkdir()
    (tmp_path / "index.html").write_text("<h1>home</h1>")
    text = ("zstd sibling text " * 500).encode()
    (tmp_path / "notes.txt").write_bytes(text)
    assert zstd is not None
    (tmp_path / "notes.txt.zst").write_bytes(zstd.compress(text))
    return tmp_path


def make_app(site: Path, **options: object) -> web.Application:
    app = web.Application()
    app.router.add_static("/s", site, name="s", **options)  # type: ignore[arg-type]
    return app


def parts_of(resp: httpx.Response) -> list[tuple[str, bytes]]:
    """(Content-Range, body) of each part of a multipart/byteranges answer."""
    head = f"Content-Type: {resp.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + resp.content)
    out = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out.append((str(part["Content-Range"]), payload))
    return out


async def test_multiple_ranges(serve_app: ServeApp, site: Path) -> None:
    async with serve_app(make_app(site)) as url, httpx.AsyncClient() as client:
        resp = await client.get(url + "/s/blob.bin", headers={"Range": "bytes=-100,0-9,500-599"})
        overlapping = await client.get(url + "/s/blob.bin", headers={"Range": "bytes=0-99,50-149"})
    assert resp.status_code == 206
    assert resp.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert parts_of(resp) == [
        ("bytes 0-9/200000", DATA[:10]),
        ("bytes 500-599/200000", DATA[500:600]),
        ("bytes 199900-199999/200000", DATA[-100:]),
    ]
    assert overlapping.status_code == 206  # merged into one plain range
    assert overlapping.headers["content-range"] == "bytes 0-149/200000"
    assert overlapping.content == DATA[:150]


async def test_curl_reads_the_multipart_answer(serve_app: ServeApp, site: Path, curl: str) -> None:
    async with serve_app(make_app(site)) as url:
        done = await asyncio.to_thread(
            subprocess.run,
            [curl, "-sS", "-r", "0-4,1000-1004", "-D", "-", url + "/s/blob.bin"],
            capture_output=True,
            timeout=10,
        )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 206")
    assert body.count(b"Content-Range: bytes ") == 2
    assert DATA[:5] in body and DATA[1000:1005] in body


@pytest.mark.parametrize(
    ("ranges", "status", "length"),
    [
        # 1,000 tiny ranges one byte apart: coalesced into one range of 1,999 bytes
        ([f"{i * 2}-{i * 2}" for i in range(1000)], 206, 1999),
        # 1,000 open ranges, each asking for (nearly) the whole file: one copy, not 1,000
        ([f"{i}-" for i in range(1000)], 206, len(DATA)),
        # 1,000 scattered ranges: more parts than allowed, the Range header is ignored
        ([f"{i * 150}-{i * 150}" for i in range(1000)], 200, len(DATA)),
        # ... also when in descending order
        ([f"{i * 150}-{i * 150}" for i in reversed(range(1000))], 200, len(DATA)),
    ],
    ids=["coalesced", "overlapping", "scattered", "descending"],
)
async def test_a_thousand_ranges_are_safe(
    serve_app: ServeApp, site: Path, ranges: list[str], status: int, length: int
) -> None:
    header = "bytes=" + ",".join(ranges)
    # A field this long needs a raised max_field_size: then only the range logic protects.
    app = make_app(site)
    async with serve(app, max_field_size=16384) as url, httpx.AsyncClient() as client:
        resp = await client.get(url + "/s/blob.bin", headers={"Range": header})
    assert resp.status_code == status
    assert len(resp.content) == length
    assert resp.content == (DATA[:length] if status == 206 else DATA)


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=5-1,0-1", "bytes=0-1,zz"])
async def test_unsatisfiable_or_malformed_is_416(
    serve_app: ServeApp, site: Path, header: str
) -> None:
    async with serve_app(make_app(site)) as url, httpx.AsyncClient() as client:
        resp = await client.get(url + "/s/blob.bin", headers={"Range": header})
    assert resp.status_code == 416
    assert resp.headers["content-range"] == "bytes */200000"


async def test_zst_sibling(serve_app: ServeApp, site: Path) -> None:
    async with serve_app(make_app(site)) as url, httpx.AsyncClient() as client:
        req = client.build_request("GET", url + "/s/notes.txt", headers={"Accept-Encoding": "zstd"})
        resp = await client.send(req, stream=True)
        raw = b"".join([chunk async for chunk in resp.aiter_raw()])
        plain = await client.get(url + "/s/notes.txt", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["content-encoding"] == "zstd"
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.headers["content-type"].startswith("text/plain")
    assert raw == (site / "notes.txt.zst").read_bytes()
    assert "content-encoding" not in plain.headers
    assert plain.content == (site / "notes.txt").read_bytes()


async def test_index_file(serve_app: ServeApp, site: Path) -> None:
    app = make_app(site, index="index.html")
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        docs = await client.get(url + "/s/docs/")
        redirect = await client.get(url + "/s/docs?x=1")
        home = await client.get(url + "/s/")
        empty = await client.get(url + "/s/empty/")
        missing = await client.get(url + "/s/nowhere/")
    assert (docs.status_code, docs.text) == (200, "<h1>docs</h1>")
    assert docs.headers["content-type"].startswith("text/html")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "/s/docs/?x=1"
    assert home.text == "<h1>home</h1>"
    assert empty.status_code == 403  # no index there and no listing asked for
    assert missing.status_code == 404


async def test_cache_control_and_immutable_versions(serve_app: ServeApp, site: Path) -> None:
    app = make_app(site, cache_control="public, max-age=60", immutable=True)
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        versioned = app.router["s"].url_for(filename="notes.txt", append_version=True)
        assert "v=" in str(versioned)
        good = await client.get(url + str(versioned))
        stale = await client.get(url + "/s/notes.txt?v=not-the-hash")
        plain = await client.get(url + "/s/notes.txt")
    assert good.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert stale.headers["cache-control"] == "public, max-age=60"
    assert plain.headers["cache-control"] == "public, max-age=60"


def test_bad_options(site: Path) -> None:
    for bad in ("../secret", "a/b", "", ".."):
        with pytest.raises(ValueError, match="index"):
            make_app(site, index=bad)
    with pytest.raises(ValueError, match="cache_control"):
        make_app(site, cache_control="max-age=1\r\nX-Evil: 1")
