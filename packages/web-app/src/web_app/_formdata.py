"""``FormData``: an HTML form body, urlencoded or multipart (aiohttp's API).

``FormData(...)()`` gives a :class:`~web_app.payload.Payload`: urlencoded text while every
field is a plain value, a ``multipart/form-data`` :class:`MultipartWriter` once a field is a
file, has a file name or a content type. A ``FormData`` is also accepted directly as a
response body. ``await payload.as_bytes()`` and ``payload.content_type`` serialize it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from multidict import MultiDict, MultiDictProxy

from ._multipart_writer import MultipartWriter
from .payload import BytesPayload, Payload, get_payload, guess_filename, register_payload

__all__ = ("FormData",)


def _check_header_text(value: str, what: str) -> None:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValueError(f"Newline or NUL in the form field {what} {value!r}")


class FormData:
    """Fields of a form, encoded as aiohttp's client encodes them."""

    def __init__(
        self,
        fields: Iterable[Any] = (),
        quote_fields: bool = True,
        charset: str | None = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        self._fields: list[tuple[dict[str, str], dict[str, str], Any]] = []
        self._is_multipart = default_to_multipart
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, dict):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: Any,
        *,
        content_type: str | None = None,
        filename: str | None = None,
        content_transfer_encoding: str | None = None,
    ) -> None:
        """Add one field; a file object (or a ``filename``) makes the form multipart."""
        if isinstance(value, io.IOBase):
            self._is_multipart = True
        elif isinstance(value, (bytes, bytearray, memoryview)) and (
            filename is None and content_transfer_encoding is None
        ):
            warnings.warn(
                "In v4, passing bytes will no longer create a file field. "
                "Please explicitly use the filename parameter or pass a BytesIO object.",
                DeprecationWarning,
                stacklevel=2,
            )
            filename = name
        _check_header_text(name, "name")
        disposition = {"name": name}
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"filename must be an instance of str. Got: {filename!r}")
        if filename is None and isinstance(value, io.IOBase):
            filename = guess_filename(value, name)
        if filename is not None:
            _check_header_text(filename, "filename")
            disposition["filename"] = filename
            self._is_multipart = True
        headers: dict[str, str] = {}
        if content_type is not None:
            if not isinstance(content_type, str):
                raise TypeError(f"content_type must be an instance of str. Got: {content_type!r}")
            _check_header_text(content_type, "content type")
            headers["Content-Type"] = content_type
            self._is_multipart = True
        if content_transfer_encoding is not None:
            if not isinstance(content_transfer_encoding, str):
                raise TypeError(
                    "content_transfer_encoding must be an instance of str. "
                    f"Got: {content_transfer_encoding!r}"
                )
            warnings.warn(
                "content_transfer_encoding is deprecated. "
                "To maintain compatibility with v4 please pass a BytesPayload.",
                DeprecationWarning,
                stacklevel=2,
            )
            self._is_multipart = True
        self._fields.append((disposition, headers, value))

    def add_fields(self, *fields: Any) -> None:
        """Add files, multidicts and ``(name, value)`` pairs."""
        pending = list(fields)
        while pending:
            rec = pending.pop(0)
            if isinstance(rec, io.IOBase):
                self.add_field(guess_filename(rec, "unknown") or "unknown", rec)
            elif isinstance(rec, (MultiDictProxy, MultiDict)):
                pending.extend(rec.items())
            elif isinstance(rec, (list, tuple)) and len(rec) == 2:
                self.add_field(rec[0], rec[1])
            else:
                raise TypeError(
                    "Only io.IOBase, multidict and (name, file) pairs allowed, use "
                    f".add_field() for passing more complex parameters, got {rec!r}"
                )

    def _urlencoded(self) -> BytesPayload:
        charset = self._charset if self._charset is not None else "utf-8"
        pairs = [(disposition["name"], value) for disposition, _, value in self._fields]
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        return BytesPayload(
            urlencode(pairs, doseq=True, encoding=charset).encode(), content_type=content_type
        )

    def _multipart(self) -> MultipartWriter:
        writer = MultipartWriter("form-data")
        for disposition, headers, value in self._fields:
            try:
                if "Content-Type" in headers:
                    part = get_payload(
                        value,
                        content_type=headers["Content-Type"],
                        headers=headers,
                        encoding=self._charset,
                    )
                else:
                    part = get_payload(value, headers=headers, encoding=self._charset)
            except Exception as exc:
                raise TypeError(
                    f"Can not serialize value type: {type(value)!r}\n "
                    f"headers: {headers!r}\n value: {value!r}"
                ) from exc
            part.set_content_disposition(
                "form-data", quote_fields=self._quote_fields, **disposition
            )
            if "Content-Length" in part.headers:  # a form part has no length (RFC 7578 4.8)
                del part.headers["Content-Length"]
            writer.append_payload(part)
        return writer

    def __call__(self) -> Payload:
        """The body: a MultipartWriter or an urlencoded BytesPayload."""
        return self._multipart() if self._is_multipart else self._urlencoded()


def _form_payload(value: FormData, *args: Any, **kwargs: Any) -> Payload:
    """``Response(body=form)``: the form's own payload."""
    return value()


register_payload(_form_payload, FormData)
