"""Form bodies for ``BaseRequest.post()``: urlencoded and multipart/form-data.

Files are spooled to anonymous temporary files (written from an executor so a large upload
does not stall the event loop); everything is bounded by the request's ``client_max_size``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import tempfile
from collections.abc import Callable
from typing import BinaryIO, Final, cast

from multidict import CIMultiDictProxy, MultiDict
from web_http import BadHttpMessage, BodyPartReader, MultipartReader, parse_urlencoded

from ._exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

__all__ = ("FileField", "read_form", "read_multipart_form")

_CHUNK: Final = 64 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class FileField:
    """An uploaded file from a ``multipart/form-data`` body (``await request.post()``).

    ``file`` is an anonymous temporary file positioned at its start, deleted once closed.
    """

    name: str
    filename: str
    file: io.BufferedReader
    content_type: str
    headers: CIMultiDictProxy[str]


FormValue = str | bytes | FileField


def read_form(data: bytes, charset: str) -> MultiDict[FormValue]:
    """``application/x-www-form-urlencoded`` fields; 400 when malformed or not ``charset``."""
    out: MultiDict[FormValue] = MultiDict()
    if not data:
        return out
    try:
        pairs = parse_urlencoded(data, encoding=charset)
    except BadHttpMessage as exc:
        raise HTTPBadRequest(text=str(exc)) from None
    for name, value in pairs:
        out.add(name, value)
    return out


async def read_multipart_form(
    reader: MultipartReader,
    max_size: int,
    too_large: Callable[[int], HTTPRequestEntityTooLarge],
) -> MultiDict[FormValue]:
    """Fields of a ``multipart/form-data`` body; parts with a filename become FileFields."""
    out: MultiDict[FormValue] = MultiDict()
    try:
        await _read_parts(reader, max_size, too_large, out)
    except BaseException:
        # A later part failed: do not leak the temporary files of the earlier ones.
        for value in out.values():
            if isinstance(value, FileField):
                value.file.close()
        raise
    return out


async def _read_parts(
    reader: MultipartReader,
    max_size: int,
    too_large: Callable[[int], HTTPRequestEntityTooLarge],
    out: MultiDict[FormValue],
) -> None:
    loop = asyncio.get_running_loop()
    size = 0
    part = await reader.next()
    while part is not None:
        if not isinstance(part, BodyPartReader):
            raise HTTPBadRequest(text="Nested multipart parts are not supported in a form")
        name = part.name
        if name is None:
            raise HTTPBadRequest(text="A form-data part has no name")
        ctype = part.headers.get("Content-Type")
        if part.filename is not None:
            tmp = cast(BinaryIO, await loop.run_in_executor(None, tempfile.TemporaryFile))
            try:
                chunk = await part.read_chunk(_CHUNK)
                while chunk:
                    chunk = part.decode(chunk)
                    size += len(chunk)
                    if 0 < max_size < size:
                        raise too_large(size)
                    await loop.run_in_executor(None, tmp.write, chunk)
                    chunk = await part.read_chunk(_CHUNK)
                await loop.run_in_executor(None, tmp.seek, 0)
            except BaseException:
                tmp.close()
                raise
            out.add(
                name,
                FileField(
                    name,
                    part.filename,
                    cast(io.BufferedReader, tmp),
                    ctype or "application/octet-stream",
                    part.headers,
                ),
            )
        else:
            value: bytes = await part.read(decode=True)
            size += len(value)
            if 0 < max_size < size:
                raise too_large(size)
            if ctype is None or ctype.startswith("text/"):
                charset = part.get_charset(default="utf-8")
                try:
                    out.add(name, value.decode(charset))
                except (UnicodeDecodeError, LookupError):
                    raise HTTPBadRequest(
                        text=f"Form field {name!r} is not valid {charset}"
                    ) from None
            else:
                out.add(name, value)
        part = await reader.next()
