"""Request bodies: what aiohttp's client accepts as ``data=``/``json=``, via web's payloads.

``make_body`` turns bytes, text, a form (a dict, ``(name, value)`` pairs, a ``MultiDict``, a
``web.FormData``), a file object, an async iterable or any ``web`` payload (a
``MultipartWriter`` ...) into a :class:`RequestBody` over the framework's own payload system
(``web.FormData``, ``web_app.payload``), the same code that encodes response bodies. Files are
streamed, never read whole, and closed once sent, as aiohttp's client does. What the client
cannot send faithfully is refused with a ``TypeError`` naming what is accepted, so a test can
never pass while sending an object's repr: form values must be text, numbers, bytes or open
files (aiohttp would send ``str(value)`` of anything else).
"""

from __future__ import annotations

import io
import json as _json
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import Any

import web
from multidict import MultiDict, MultiDictProxy
from web_app.payload import (
    BytesPayload,
    LookupError as PayloadLookupError,
    Payload,
    StringPayload,
    get_payload,
)

__all__ = ("RequestBody", "make_body")

Send = Callable[[bytes], Awaitable[None]]
_FIELD_TYPES = (str, int, float, bytes, bytearray, memoryview, io.IOBase)
_ACCEPTED = (
    "bytes, str, a dict or (name, value) pairs (a form), web.FormData, a web payload "
    "(MultipartWriter ...), a file object opened for reading, or an async iterable of bytes"
)


class RequestBody:
    """A body to send: a ``web`` payload, its Content-Type, extra headers and length."""

    __slots__ = ("_length", "payload")

    def __init__(self, payload: Payload) -> None:
        self.payload = payload
        self._length: int | None = -1  # -1: not asked for yet

    @property
    def content_type(self) -> str:
        return self.payload.content_type

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The payload's own headers besides Content-Type (Content-Disposition of a file)."""
        return [(k, v) for k, v in self.payload.headers.items() if k.lower() != "content-type"]

    @property
    def length(self) -> int | None:
        """Bytes on the wire, or ``None``: sent chunked (asked of the payload once: a
        multipart body adds up its parts' heads for it)."""
        length = self._length
        if length == -1:
            length = self._length = self.payload.size
        return length

    @property
    def replayable(self) -> bool:
        """Can it be sent again (for a 307/308 redirect)?"""
        return isinstance(self.payload, BytesPayload) and not self.payload.consumed

    async def in_memory(self) -> bytes | None:
        """The whole body when it is bytes or text already in memory, else ``None``."""
        payload = self.payload
        if type(payload) is BytesPayload or type(payload) is StringPayload:
            return await payload.as_bytes()
        return None

    async def write(self, send: Send) -> None:
        """Hand the body's bytes to ``send``, piece by piece."""
        await self.payload.write(_Sender(send))

    async def close(self) -> None:
        """Close the files sent (as aiohttp's client does once a request is done)."""
        await self.payload.close()


class _Sender:
    """The ``writer`` a payload writes to: every piece goes to ``send``."""

    __slots__ = ("_send",)

    def __init__(self, send: Send) -> None:
        self._send = send

    async def write(self, data: bytes | bytearray | memoryview, /) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"a streamed request body must yield bytes, got {data!r}")
        if data:
            await self._send(bytes(data))


def _check_form(fields: Any) -> None:
    """Refuse form values that would go out as their ``str()``."""
    if isinstance(fields, (Mapping, MultiDictProxy, MultiDict)):
        items = list(fields.items())
    else:
        items = list(fields)
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(
                f"cannot send form field {item!r}: a form is a dict, a MultiDict or "
                "(name, value) pairs"
            )
        name, value = item
        if not isinstance(name, str):
            raise TypeError(f"a form field name must be str, got {name!r}")
        if isinstance(value, bool) or not isinstance(value, _FIELD_TYPES):
            raise TypeError(
                f"form field {name!r}: cannot send {type(value).__name__} {value!r}; a field "
                "value is str, int, float, bytes or an open file (use FormData.add_field for "
                "a repeated field)"
            )
        _check_file(value)


def _check_file(value: object) -> None:
    if isinstance(value, io.IOBase):
        if value.closed:
            raise ValueError(f"cannot send a closed file: {value!r}")
        if not value.readable():
            raise TypeError(f"cannot send a file not opened for reading: {value!r}")


def make_body(
    data: Any = None, json: Any = None, dumps: Callable[[Any], str] = _json.dumps
) -> RequestBody | None:
    """The body for ``data=`` or ``json=`` (never both), or ``None`` for no body."""
    if data is not None and json is not None:
        raise ValueError("data and json parameters can not be used at the same time")
    if json is not None:
        return RequestBody(
            get_payload(dumps(json).encode("utf-8"), content_type="application/json")
        )
    if data is None:
        return None
    if type(data) is bytes or type(data) is str:  # the usual body: no type checks to run
        return RequestBody(get_payload(data))
    if isinstance(data, Payload):
        return RequestBody(data)
    if isinstance(data, web.FormData):
        return RequestBody(data())
    if isinstance(data, (Mapping, MultiDictProxy, MultiDict, list, tuple)):
        _check_form(data)
        return RequestBody(web.FormData(data)())
    if isinstance(data, (set, frozenset)) or not isinstance(
        data, (bytes, bytearray, memoryview, str, io.IOBase, AsyncIterable)
    ):
        raise TypeError(f"cannot send data of type {type(data).__name__}: data= takes {_ACCEPTED}")
    _check_file(data)
    try:
        return RequestBody(get_payload(data))
    except PayloadLookupError:  # pragma: no cover - every accepted type has a payload
        raise TypeError(f"cannot send {data!r}: data= takes {_ACCEPTED}") from None
