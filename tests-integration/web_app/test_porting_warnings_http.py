"""aiohttp's porting warnings seen from a real server: returned exceptions, drain()."""

from __future__ import annotations

import warnings

import httpx
import web
from support import serve


async def test_returned_exception_warns_and_is_sent() -> None:
    async def returned(request: web.Request) -> web.StreamResponse:
        return web.HTTPForbidden(text="nope")

    async def drained(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"a")
        await resp.drain()
        await resp.write_eof(b"b")
        return resp

    app = web.Application()
    app.router.add_get("/returned", returned)
    app.router.add_get("/drained", drained)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with serve(app) as base, httpx.AsyncClient(base_url=base) as c:
            r = await c.get("/returned")
            assert (r.status_code, r.text) == (403, "nope")
            r = await c.get("/drained")
            assert r.content == b"ab"
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any("returning HTTPException object is deprecated" in m for m in messages)
    assert any("drain method is deprecated" in m for m in messages)
