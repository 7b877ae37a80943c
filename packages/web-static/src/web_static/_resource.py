"""``StaticResource``: the resource ``UrlDispatcher.add_static`` registers.

Routing stays I/O free: :meth:`StaticResource.match_subpath` only decodes the file name and
refuses, lexically, names that could leave the root (NUL, absolute, ``..`` above the
root), so those requests end as the router's 404 without touching the disk. The handler
opens a regular file on the loop and checks the opened descriptor's real path (see
``_inline``); directories, index pages and anything unusual are resolved in the
executor as before, and the file goes to :class:`FileResponse`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from pathlib import Path, PurePath
from typing import Any, Final

from web_app import (
    HTTPForbidden,
    HTTPMovedPermanently,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
)
from web_routing import AbstractRoute, ExpectHandler, PrefixResource
from yarl import URL

from ._file_response import DEFAULT_CHUNK_SIZE, FileResponse
from ._index import render_index
from ._inline import INLINE_OPEN, Missing, open_inline
from ._paths import PathRejected, check_filename, resolve_under

__all__ = ("StaticResource",)

#: ``append_version`` hashes are cached per (path, mtime_ns, size): rebuilt when a file
#: changes, never recomputed for an unchanged one.
_HASH_CACHE_SIZE: Final = 1024
#: What ``immutable=True`` sends for a URL whose ``?v=`` is the file's current hash: the
#: content at that URL can never change, so browsers need not even revalidate it.
IMMUTABLE_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"


def _unquote_safe(value: str) -> str:
    """Finish decoding a name taken from the router's safe-decoded path."""
    if "%" not in value:
        return value
    return value.replace("%2F", "/").replace("%25", "%")


def file_hash(data: bytes) -> str:
    """The ``v=`` value of ``append_version``: URL-safe base64 of the SHA-256 (aiohttp's)."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode("ascii")


class StaticResource(PrefixResource):
    """Serve the files below ``directory`` at URLs below ``prefix`` (GET and HEAD).

    ``show_index`` lists directories as HTML (403 otherwise); ``follow_symlinks`` lets
    symlinks lead outside the directory (the URL itself can never climb out);
    ``append_version`` makes :meth:`url_for` add ``?v=<hash of the content>`` by default.

    Beyond aiohttp: ``index="index.html"`` serves that file for a directory (a URL without
    the trailing slash is redirected to it, so relative links work), before ``show_index``
    is considered; ``cache_control`` is sent with every file; ``immutable=True`` sends
    ``public, max-age=31536000, immutable`` instead when the URL's ``v`` is the hash of the
    file's current content (an ``append_version`` URL).
    """

    VERSION_KEY = "v"

    def __init__(
        self,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
        index: str | None = None,
        cache_control: str | None = None,
        immutable: bool = False,
    ) -> None:
        super().__init__(prefix, name=name)
        if index is not None and (
            not index or "/" in index or "\\" in index or index in (".", "..") or "\0" in index
        ):
            raise ValueError(f"index must be a plain file name, got {index!r}")
        if cache_control is not None and any(c in cache_control for c in "\r\n\0"):
            raise ValueError("cache_control cannot contain CR, LF or NUL")
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(f"'{directory}' does not exist") from exc
        if not root.is_dir():
            raise ValueError(f"'{directory}' is not a directory")
        if not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self._directory = root
        #: The root as a string prefix of every path below it (``/`` only once for "/").
        self._root_prefix = str(root).rstrip("/") + "/"
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        self._expect_handler = expect_handler
        self._index = index
        self._cache_control = cache_control
        self._immutable = immutable
        self._hashes: dict[tuple[str, int, int], str] = {}
        self.add_route("GET", self._handle, expect_handler=expect_handler)
        self.add_route("HEAD", self._handle, expect_handler=expect_handler)

    # -- introspection -------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return self._directory

    def get_info(self) -> dict[str, Any]:
        routes: dict[str, AbstractRoute] = {route.method: route for route in self}
        return {"directory": self._directory, "prefix": self.prefix, "routes": routes}

    def set_options_route(self, handler: Any) -> None:
        """Add an OPTIONS route (CORS pre-flight helpers use this)."""
        if any(route.method == "OPTIONS" for route in self):
            raise RuntimeError("OPTIONS route was set already")
        self.add_route("OPTIONS", handler, expect_handler=self._expect_handler)

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<StaticResource {name}{self.prefix} -> {self._directory!r}>"

    # -- URLs ----------------------------------------------------------------------------

    def url_for(
        self, *, filename: str | os.PathLike[str], append_version: bool | None = None
    ) -> URL:
        """``<prefix>/<filename>``, plus ``?v=<content hash>`` when versioning applies.

        The version is only added for a regular file inside the directory (symlinks
        leading out count only with ``follow_symlinks``); otherwise the plain URL is
        returned, as aiohttp does.
        """
        if append_version is None:
            append_version = self._append_version
        name = filename.as_posix() if isinstance(filename, PurePath) else os.fspath(filename)
        name = name.lstrip("/")
        url = URL.build(path=self.prefix, encoded=True) / name
        if not append_version:
            return url
        version = self._version_of(name)
        return url if version is None else url.with_query({self.VERSION_KEY: version})

    def _version_of(self, name: str) -> str | None:
        try:
            path = resolve_under(self._directory, name, follow_symlinks=self._follow_symlinks)
            st = path.stat()
        except (PathRejected, OSError):
            return None
        if not path.is_file():
            return None
        key = (str(path), st.st_mtime_ns, st.st_size)
        cached = self._hashes.get(key)
        if cached is not None:
            return cached
        try:
            digest = file_hash(path.read_bytes())
        except OSError:
            return None
        if len(self._hashes) >= _HASH_CACHE_SIZE:
            self._hashes.clear()
        self._hashes[key] = digest
        return digest

    # -- matching and handling ---------------------------------------------------------------

    def match_subpath(self, subpath: str) -> dict[str, str] | None:
        filename = _unquote_safe(subpath)
        if not check_filename(filename):
            return None
        return {"filename": filename}

    async def _handle(self, request: Request) -> StreamResponse:
        resp = await self._file_response(request)
        if self._cache_control is None and not self._immutable:
            return resp
        if not isinstance(resp, FileResponse):
            return resp
        value = self._cache_control
        version = request.query.get(self.VERSION_KEY) if self._immutable else None
        if version is not None:
            loop = asyncio.get_running_loop()
            if await loop.run_in_executor(None, self._is_current, resp.path, version):
                value = IMMUTABLE_CACHE_CONTROL
        if value is not None:
            resp.headers["Cache-Control"] = value
        return resp

    async def _file_response(self, request: Request) -> StreamResponse:
        filename = request.match_info["filename"]
        if INLINE_OPEN and filename and not filename.endswith("/"):
            # The common case, a regular file, is opened and checked on the loop (see
            # ``_inline``); everything else is decided in the executor below.
            try:
                opened = open_inline(
                    self._root_prefix, filename, follow_symlinks=self._follow_symlinks
                )
            except Missing:
                raise HTTPNotFound() from None
            if opened is not None:
                return FileResponse._of_opened(opened, self._chunk_size)
        loop = asyncio.get_running_loop()
        slash = request.path.endswith("/")
        return await loop.run_in_executor(None, self._response_for, filename, slash, request)

    def _is_current(self, path: Path, version: str) -> bool:
        """Is ``version`` the hash of the file at ``path`` now? (blocking: executor)"""
        return self._version_of(os.path.relpath(path, self._directory)) == version

    def _index_file(self, filename: str) -> Path | None:
        """The directory's index file, when ``index`` is set and it is a regular file."""
        if self._index is None:
            return None
        name = f"{filename.rstrip('/')}/{self._index}" if filename.strip("/") else self._index
        try:
            path = resolve_under(self._directory, name, follow_symlinks=self._follow_symlinks)
        except PathRejected:
            return None
        return path if path.is_file() else None

    def _response_for(self, filename: str, slash: bool, request: Request) -> StreamResponse:
        """Resolve ``filename`` and pick the response (runs in the executor)."""
        try:
            path = resolve_under(self._directory, filename, follow_symlinks=self._follow_symlinks)
        except PathRejected:
            raise HTTPNotFound() from None
        try:
            is_dir = path.is_dir()
        except PermissionError:
            raise HTTPForbidden() from None
        if is_dir:
            index = self._index_file(filename)
            if index is not None:
                if not slash:
                    rel = request.rel_url
                    location = rel.with_path(request.path + "/").with_query(rel.query_string)
                    raise HTTPMovedPermanently(location=str(location))
                return FileResponse(index, chunk_size=self._chunk_size)
            if not self._show_index:
                raise HTTPForbidden()
            try:
                text = render_index(self._directory, path, self.prefix)
            except PermissionError:
                raise HTTPForbidden() from None
            except OSError:
                raise HTTPNotFound() from None
            return Response(text=text, content_type="text/html")
        if filename.endswith("/"):
            raise HTTPNotFound()  # "file.txt/" names a directory that does not exist
        return FileResponse(path, chunk_size=self._chunk_size)
