"""Unit pieces of the production features: SSE wire format, prepare callbacks, options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web_app import (
    Application,
    EventSourceResponse,
    Request,
    StreamResponse,
    compression_middleware,
    forwarded_middleware,
)
from web_app._sse import format_event

MakeRequest = Callable[..., Request]


@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [
        ({"data": "x"}, b"data: x\n\n"),
        ({"data": ""}, b"data: \n\n"),
        ({"data": "a\r\nb\rc\nd"}, b"data: a\ndata: b\ndata: c\ndata: d\n\n"),
        ({"data": "a\n"}, b"data: a\ndata: \n\n"),
        (
            {"data": "é", "event": "up", "id": "7", "retry": 0},
            "id: 7\nevent: up\nretry: 0\ndata: é\n\n".encode(),
        ),
    ],
)
def test_event_wire_format(kwargs: dict[str, Any], wire: bytes) -> None:
    assert format_event(**kwargs) == wire


@pytest.mark.parametrize(
    "kwargs",
    [
        {"event": "a\nb"},
        {"event": "a\rb"},
        {"id": "1\n2"},
        {"id": "1\x002"},
        {"retry": -5},
        {"retry": 1.5},
        {"retry": True},
    ],
)
def test_bad_event_fields(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        format_event("data", **kwargs)


def test_event_source_headers_and_options() -> None:
    resp = EventSourceResponse(headers={"Cache-Control": "no-store"}, ping_interval=None)
    assert resp.headers["Content-Type"] == "text/event-stream"
    assert resp.headers["Cache-Control"] == "no-store"  # the caller's value wins
    assert resp.headers["X-Accel-Buffering"] == "no"
    assert resp.ping_interval is None and resp.last_event_id is None
    assert resp.is_connected()
    with pytest.raises(ValueError):
        EventSourceResponse(ping_interval=-1)


async def test_prepare_callbacks_are_shared_by_clones(make_request: MakeRequest) -> None:
    request = make_request(Application())
    seen: list[tuple[Any, StreamResponse]] = []

    async def later(req: Any, resp: StreamResponse) -> None:
        seen.append((req, resp))

    clone = request.clone(remote="10.0.0.1")
    clone.add_prepare_callback(lambda req, resp: seen.append((req, resp)))
    request.add_prepare_callback(later)
    assert request._prepare_callbacks is clone._prepare_callbacks
    resp = StreamResponse()
    await resp.run_prepare_callbacks(request)
    await resp.run_prepare_callbacks(request)  # once per response
    assert seen == [(request, resp), (request, resp)]


def test_middleware_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown content coding"):
        compression_middleware(codings=["gzip", "lz4"])
    with pytest.raises(ValueError, match="type/sub"):
        compression_middleware(content_types=["text"])
    with pytest.raises(ValueError, match="trusted"):
        forwarded_middleware(trusted=["300.0.0.0/8"])
    assert callable(compression_middleware(codings=["GZIP"], levels={"gzip": 1}))
