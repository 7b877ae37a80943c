"""Hostile and broken input over real sockets: every case gets a specific answer or a close."""

from __future__ import annotations

import asyncio
import gzip
import logging
import time
from typing import Any

import httpx
import pytest
from support import serve_handler as serve
from web_app import BaseRequest, HTTPForbidden, Response, StreamResponse


async def exchange(port: int, data: bytes, timeout: float = 5) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    try:
        return await asyncio.wait_for(reader.read(), timeout)  # until the server closes
    finally:
        writer.close()


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


async def echo(request: BaseRequest) -> StreamResponse:
    return Response(body=await request.read())


async def boom(request: BaseRequest) -> StreamResponse:
    raise RuntimeError("secret internals")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ],
    ids=["garbage", "no-colon", "long-target", "long-field", "http2", "two-lengths", "bad-te"],
)
async def test_head_errors_answer_their_status_then_close(data: bytes, status: int) -> None:
    async with serve(echo) as (server, port):
        raw = await exchange(port, data)
    assert status_of(raw) == status
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Connection: close" in head
    assert b"text/plain" in head
    assert body.startswith(str(status).encode())
    assert server.requests_count == 0  # the handler never saw it


async def test_head_error_after_a_good_request_keeps_order() -> None:
    async with serve(echo) as (_, port):
        raw = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n")
    first, _, rest = raw.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 ")
    assert rest.startswith(b"HTTP/1.1 400 ")


async def test_limits_are_configurable() -> None:
    async with serve(echo, max_line_size=100, max_field_size=50) as (_, port):
        raw = await exchange(port, b"GET /" + b"a" * 150 + b" HTTP/1.1\r\n\r\n")
        assert status_of(raw) == 414
        raw = await exchange(port, b"GET / HTTP/1.1\r\nX: " + b"b" * 80 + b"\r\n\r\n")
        assert status_of(raw) == 431


async def test_unhandled_exception_is_500_without_traceback_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        async with serve(boom) as (_, port), httpx.AsyncClient() as client:
            resp = await client.get(f"http://127.0.0.1:{port}/")
    assert resp.status_code == 500
    assert "secret internals" not in resp.text
    assert "Traceback" not in resp.text
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


async def test_debug_mode_sends_the_traceback() -> None:
    async with serve(boom, debug=True) as (_, port), httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/")
    assert resp.status_code == 500
    assert "Traceback" in resp.text
    assert "secret internals" in resp.text


async def test_handler_returning_not_a_response_is_500() -> None:
    async def wrong(request: BaseRequest) -> Any:
        return "not a response"

    async with serve(wrong) as (_, port), httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/")
    assert resp.status_code == 500


async def test_http_exception_is_sent_as_the_response() -> None:
    async def forbidden(request: BaseRequest) -> StreamResponse:
        raise HTTPForbidden(text="no way")

    async with serve(forbidden) as (_, port), httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/")
        assert resp.status_code == 403
        assert resp.text == "no way"
        # An HTTPException is an ordinary answer: the connection stays usable.
        resp = await client.get(f"http://127.0.0.1:{port}/")
        assert resp.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nabc\r\n0\r\n\r\n",  # bad chunk size
        b"3\r\nabcXX0\r\n\r\n",  # missing CRLF after chunk data
    ],
    ids=["bad-size", "bad-crlf"],
)
async def test_bad_chunk_framing_read_by_handler_is_400(body: bytes) -> None:
    async with serve(echo) as (_, port):
        raw = await exchange(
            port, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
        )
    assert status_of(raw) == 400


async def test_undecodable_gzip_body_is_400() -> None:
    async with serve(echo) as (_, port):
        body = b"this is not gzip at all"
        raw = await exchange(
            port,
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n%b" % (len(body), body),
        )
    assert status_of(raw) == 400


async def test_gzip_body_is_decoded_and_auto_decompress_can_be_off() -> None:
    packed = gzip.compress(b"payload!")
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%b" % (len(packed), packed)
    )
    async with serve(echo) as (_, port):
        raw = await exchange(port, request)
    assert raw.endswith(b"\r\n\r\npayload!")
    async with serve(echo, auto_decompress=False) as (_, port):
        raw = await exchange(port, request)
    assert raw.endswith(b"\r\n\r\n" + packed)


async def test_body_larger_than_client_max_size_is_413() -> None:
    async with serve(echo) as (_, port), httpx.AsyncClient() as client:
        resp = await client.post(f"http://127.0.0.1:{port}/", content=b"x" * (1024**2 + 10))
    assert resp.status_code == 413


async def test_slow_head_is_answered_408_and_closed() -> None:
    async with serve(echo, client_head_timeout=0.3) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        started = time.monotonic()
        raw = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert status_of(raw) == 408
    assert time.monotonic() - started < 3


async def test_slowloris_trickle_does_not_extend_the_head_deadline() -> None:
    async with serve(echo, client_head_timeout=0.4) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"GET / HTTP/1.1\r\n")
        raw = b""
        for i in range(60):  # one header line every 50 ms, never the end of the head
            try:
                raw = await asyncio.wait_for(reader.read(4096), 0.05)
                break
            except asyncio.TimeoutError:
                writer.write(b"X-%d: y\r\n" % i)
        writer.close()
    assert status_of(raw) == 408
    assert time.monotonic() - started < 1.4


async def test_peer_closing_mid_head_is_quiet() -> None:
    async with serve(echo) as (server, port):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HT")
        writer.close()
        await asyncio.sleep(0.1)
        assert server.connections == []
        assert server.requests_count == 0


async def form(request: BaseRequest) -> StreamResponse:
    data = await request.post()
    return Response(text=",".join(sorted(data)))


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nno headers end here"),
        ("multipart/form-data; boundary=xyz", b"not a multipart body at all"),
        ("multipart/form-data", b"--xyz\r\n\r\n--xyz--\r\n"),  # no boundary parameter
        ("application/x-www-form-urlencoded; charset=no-such-codec", b"a=1"),
    ],
    ids=["truncated-part", "no-delimiter", "no-boundary", "bad-charset"],
)
async def test_malformed_form_is_400(content_type: str, body: bytes) -> None:
    async with serve(form) as (_, port), httpx.AsyncClient() as client:
        resp = await client.post(
            f"http://127.0.0.1:{port}/", content=body, headers={"Content-Type": content_type}
        )
    assert resp.status_code == 400


async def test_wellformed_form_is_read() -> None:
    async with serve(form) as (_, port), httpx.AsyncClient() as client:
        resp = await client.post(f"http://127.0.0.1:{port}/", data={"b": "2", "a": "1"})
    assert resp.status_code == 200
    assert resp.text == "a,b"
