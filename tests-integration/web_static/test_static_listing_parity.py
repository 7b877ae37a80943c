"""The directory listing and special files as aiohttp serves them, over real sockets.

The expected pages are what aiohttp 3.14 answers for the same tree (observed with its
``add_static(..., show_index=True)``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import web
from support import serve


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    (root / "sub dir" / "inner").mkdir(parents=True)
    (root / "emptydir").mkdir()
    (root / "a.txt").write_text("a\n")
    (root / "sub dir" / "b&<x>.txt").write_text("b\n")
    (root / "ü.txt").write_text("c\n")
    os.mkfifo(root / "fifo")
    (root / "devnull").symlink_to("/dev/null")
    (root / "link.txt").symlink_to("a.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock"))
    try:
        yield root
    finally:
        sock.close()


def _app(root: Path) -> web.Application:
    app = web.Application()
    app.router.add_static("/s", root, show_index=True, follow_symlinks=True)
    app.router.add_static("/n", root, show_index=True)
    app.router.add_static("/x", root)
    return app


ROOT_PAGE = (
    "<html>\n<head>\n<title>Index of /.</title>\n</head>\n<body>\n<h1>Index of /.</h1>\n<ul>\n"
    '<li><a href="/s/a.txt">a.txt</a></li>\n'
    '<li><a href="/s/devnull">devnull</a></li>\n'
    '<li><a href="/s/emptydir">emptydir/</a></li>\n'
    '<li><a href="/s/fifo">fifo</a></li>\n'
    '<li><a href="/s/link.txt">link.txt</a></li>\n'
    '<li><a href="/s/sock">sock</a></li>\n'
    '<li><a href="/s/sub%20dir">sub dir/</a></li>\n'
    '<li><a href="/s/%C3%BC.txt">ü.txt</a></li>\n'
    "</ul>\n</body>\n</html>"
)
SUB_PAGE = (
    "<html>\n<head>\n<title>Index of /sub dir</title>\n</head>\n<body>\n"
    "<h1>Index of /sub dir</h1>\n<ul>\n"
    '<li><a href="/s/sub%20dir/b&%3Cx%3E.txt">b&amp;&lt;x&gt;.txt</a></li>\n'
    '<li><a href="/s/sub%20dir/inner">inner/</a></li>\n'
    "</ul>\n</body>\n</html>"
)
EMPTY_PAGE = (
    "<html>\n<head>\n<title>Index of /emptydir</title>\n</head>\n<body>\n"
    "<h1>Index of /emptydir</h1>\n<ul>\n\n</ul>\n</body>\n</html>"
)


async def test_listing_pages_are_aiohttps(tree: Path) -> None:
    async with serve(_app(tree)) as base, httpx.AsyncClient(base_url=base) as client:
        pages = {t: await client.get(t) for t in ("/s", "/s/", "/s/sub%20dir", "/s/sub%20dir/")}
        empty = await client.get("/s/emptydir/")
        head = await client.head("/s/")
    for target, resp in pages.items():
        assert resp.status_code == 200, target
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert pages["/s"].text == pages["/s/"].text == ROOT_PAGE
    assert pages["/s/sub%20dir"].text == pages["/s/sub%20dir/"].text == SUB_PAGE
    assert empty.text == EMPTY_PAGE
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(ROOT_PAGE.encode()))


async def test_links_of_the_listing_lead_to_the_files(tree: Path) -> None:
    async with serve(_app(tree)) as base, httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/s/sub%20dir/b&%3Cx%3E.txt")).text == "b\n"
        assert (await client.get("/s/%C3%BC.txt")).text == "c\n"
        assert (await client.get("/s/sub%20dir/inner")).status_code == 200  # a listing again


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/s/fifo", 403),  # a FIFO: opening it could block a worker forever
        ("/s/sock", 403),  # a Unix socket
        ("/s/devnull", 403),  # a device, reached through a followed symlink
        ("/n/devnull", 404),  # the same symlink leads out of the root: not followed
        ("/n/fifo", 403),
        ("/x/fifo", 403),
        ("/x/", 403),  # a directory without show_index
        ("/x/sub%20dir", 403),
        ("/n/link.txt", 200),  # a symlink staying inside the root
        ("/s/nonexist/", 404),
    ],
)
async def test_special_files_and_directories(tree: Path, target: str, status: int) -> None:
    async with serve(_app(tree)) as base, httpx.AsyncClient(base_url=base, timeout=5) as client:
        resp = await client.get(target)
        again = await client.get("/s/a.txt")  # the server is not stuck on the special file
    assert resp.status_code == status
    assert again.text == "a\n"


async def test_file_response_of_a_socket_is_403(tree: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(tree / "sock")

    app = web.Application()
    app.router.add_get("/", handler)
    async with serve(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(base + "/")).status_code == 403
