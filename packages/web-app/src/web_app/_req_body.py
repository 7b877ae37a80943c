"""Form bodies for ``BaseRequest.post()``: urlencoded and multipart/form-data.

A file part of up to ``MEMORY_FILE_MAX`` bytes stays in memory (an ``io.BytesIO``): most
uploads are small, and an anonymous temporary file costs a worker-thread round trip (the
loop must not block on the disk). A larger one is spooled to a temporary file from the
executor. Everything is bounded by the request's ``client_max_size``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import tempfile
from collections.abc import Callable
from typing import BinaryIO, Final, cast

from multidict import CIMultiDictProxy, MultiDict
from web_http import (
    BadHttpMessage,
    BodyPartReader,
    MultipartReader,
    StreamReader,
    parse_urlencoded,
)

from . import _request_errors

__all__ = ("FileField", "FormLimits", "read_form", "read_multipart_form", "too_many_fields")

_CHUNK: Final = 64 * 1024
#: File parts up to this size (decoded bytes) are kept in memory; larger ones go to disk.
MEMORY_FILE_MAX: Final = 1024 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class FileField:
    """An uploaded file from a ``multipart/form-data`` body (``await request.post()``).

    ``file`` is a binary file object positioned at its start: an ``io.BytesIO`` for a file
    of up to ``MEMORY_FILE_MAX`` (1 MiB), else an anonymous temporary file, deleted once
    closed. Only the temporary file has a ``fileno()``.
    """

    name: str
    filename: str
    file: io.BufferedReader
    content_type: str
    headers: CIMultiDictProxy[str]


FormValue = str | bytes | FileField


def too_many_fields(max_fields: int) -> Exception:
    """The 413 for a form with more than ``client_max_fields`` fields (aiohttp's text)."""
    return _request_errors.errors.too_large(
        max_fields, 0, f"Maximum number of form fields {max_fields} exceeded."
    )


def read_form(data: bytes, charset: str, max_fields: int) -> MultiDict[FormValue]:
    """``application/x-www-form-urlencoded`` fields, decoded leniently as aiohttp does.

    A bad percent-escape stays as written and bytes invalid in ``charset`` become U+FFFD;
    an unknown charset answers 400, more than ``max_fields`` fields (when positive) 413.
    """
    out: MultiDict[FormValue] = MultiDict()
    if not data:
        return out
    try:
        pairs = parse_urlencoded(data, encoding=charset, max_fields=None, strict=False)
    except BadHttpMessage as exc:
        raise _request_errors.errors.bad_request(str(exc)) from None
    if 0 < max_fields < len(pairs):
        raise too_many_fields(max_fields)
    for name, value in pairs:
        out.add(name, value)
    return out


class FormLimits:
    """The bounds ``post()`` applies to a multipart form (0 or None: unlimited)."""

    __slots__ = ("max_fields", "max_size", "payload", "too_large")

    def __init__(
        self,
        payload: StreamReader,
        max_size: int | None,
        max_fields: int,
        too_large: Callable[[int], Exception],
    ) -> None:
        self.payload = payload
        self.max_size = max_size or 0
        self.max_fields = max_fields
        self.too_large = too_large

    def check_size(self) -> None:
        # Raw body bytes as received: part headers, boundaries and still-encoded
        # (base64, quoted-printable) bytes all count, as in aiohttp.
        received = self.payload.total_bytes
        if 0 < self.max_size < received:
            raise self.too_large(received)


async def read_multipart_form(reader: MultipartReader, limits: FormLimits) -> MultiDict[FormValue]:
    """Fields of a ``multipart/form-data`` body; parts with a file name become FileFields."""
    out: MultiDict[FormValue] = MultiDict()
    try:
        await _read_parts(reader, limits, out)
    except BaseException:
        # A later part failed: do not leak the temporary files of the earlier ones.
        for value in out.values():
            if isinstance(value, FileField):
                value.file.close()
        raise
    return out


async def _read_parts(
    reader: MultipartReader, limits: FormLimits, out: MultiDict[FormValue]
) -> None:
    part = await reader.next()
    while part is not None:
        limits.check_size()
        if 0 < limits.max_fields <= len(out):
            raise too_many_fields(limits.max_fields)
        if not isinstance(part, BodyPartReader):
            raise _request_errors.errors.bad_request(
                "Nested multipart parts are not supported in a form"
            )
        name = part.name
        if name is None:
            raise _request_errors.errors.bad_request("A form-data part has no name")
        ctype = part.headers.get("Content-Type")
        filename = part.filename
        if filename:
            # filename="" is what a browser sends for an empty file input: a plain field.
            tmp = await _spool(part, limits)
            out.add(
                name,
                FileField(
                    name,
                    filename,
                    cast(io.BufferedReader, tmp),
                    ctype or "application/octet-stream",
                    part.headers,
                ),
            )
        else:
            value = bytearray()
            async for chunk in part.read_decoded_chunks(_CHUNK):
                limits.check_size()
                value += chunk
            if ctype is None or ctype.startswith("text/"):
                charset = part.get_charset(default="utf-8")
                try:
                    out.add(name, value.decode(charset))
                except (UnicodeDecodeError, LookupError):
                    raise _request_errors.errors.bad_request(
                        f"Form field {name!r} is not valid {charset}"
                    ) from None
            else:
                out.add(name, bytes(value))
        part = await reader.next()
    limits.check_size()


async def _spool(part: BodyPartReader, limits: FormLimits) -> BinaryIO:
    """A file part's decoded bytes: in memory up to ``MEMORY_FILE_MAX``, else in a temporary file.

    The file is written off the loop, one executor call per full chunk (the first creates
    the file with everything read so far, the last rewinds it). A part that stays small
    never leaves the loop.
    """
    tmp: BinaryIO | None = None
    pending: list[bytes] = []
    size = 0
    flush_at = MEMORY_FILE_MAX + 1  # until the part proves larger, then one chunk at a time
    try:
        async for chunk in part.read_decoded_chunks(_CHUNK):
            limits.check_size()
            pending.append(chunk)
            size += len(chunk)
            if size >= flush_at:
                current, tmp = tmp, None  # while in the thread, the file is _in_thread's
                tmp = await _in_thread(current, pending, False)
                pending, size, flush_at = [], 0, _CHUNK
        if tmp is None:
            return io.BytesIO(b"".join(pending))
        current, tmp = tmp, None
        tmp = await _in_thread(current, pending, True)
    except BaseException:
        if tmp is not None:
            tmp.close()
        raise
    return tmp


async def _in_thread(tmp: BinaryIO | None, chunks: list[bytes], rewind: bool) -> BinaryIO:
    """``_write_spool`` in the default executor; a caller cancelled meanwhile leaves no open
    file behind: the write runs to its end (it cannot be stopped) and its file is closed then.
    """
    loop = asyncio.get_running_loop()
    done = loop.run_in_executor(None, _write_spool, tmp, chunks, rewind)
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        done.add_done_callback(_close_spooled)
        raise


def _close_spooled(done: asyncio.Future[BinaryIO]) -> None:
    if not done.cancelled() and done.exception() is None:
        done.result().close()


def _write_spool(tmp: BinaryIO | None, chunks: list[bytes], rewind: bool) -> BinaryIO:
    """In a worker thread: the temporary file (made on first use) with ``chunks`` appended."""
    if tmp is None:
        tmp = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115 - the FileField owns it
    try:
        tmp.writelines(chunks)
        if rewind:
            tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp
