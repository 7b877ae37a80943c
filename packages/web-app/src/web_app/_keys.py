"""Typed keys for the dict-like objects (Application, Request, StreamResponse).

A key carries the type of its value so that ``app[db_key]`` is typed for mypy,
and its name is prefixed with the defining module so that two libraries that
both pick the name ``"db"`` never collide.  Keys hash and compare by identity:
two ``AppKey("db")`` objects are different keys on purpose.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar, get_args, get_origin, overload

__all__ = (
    "AppKey",
    "BaseKey",
    "ChainMapProxy",
    "NotAppKeyWarning",
    "RequestKey",
    "ResponseKey",
)

_T = TypeVar("_T")
_S = TypeVar("_S")


class NotAppKeyWarning(UserWarning):
    """Warning issued when a plain ``str`` key is used instead of a typed key."""


def _defining_module() -> str:
    """Name of the module whose top level created the key (``__main__`` if none).

    Keys are almost always created at module level; walking out to the first
    ``<module>`` frame gives the same prefix whether the key was made directly
    or through a helper function.
    """
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            return str(frame.f_globals.get("__name__", "__main__"))
        frame = frame.f_back  # type: ignore[assignment]
    return "__main__"


class BaseKey(Generic[_T]):
    """Common part of the typed keys; sub-classed once per kind of storage."""

    __slots__ = ("__orig_class__", "_name", "_t")

    # Set by Python when the key is created as ``AppKey[int]("name")``; it is how
    # keys for non-class types (``AppKey[list[int]]``) learn their value type.
    __orig_class__: type[object]

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"key name must be str, got {type(name).__name__}")
        self._name = _defining_module() + "." + name
        self._t = t

    @property
    def name(self) -> str:
        """The qualified name ``module.name`` (for debugging and sorting)."""
        return self._name

    def __lt__(self, other: object) -> bool:
        # Typed keys sort by name and before any other kind of key, so that
        # ``sorted(app)`` works on a mix of typed and str keys.
        if isinstance(other, BaseKey):
            return self._name < other._name
        return True

    def __gt__(self, other: object) -> bool:
        if isinstance(other, BaseKey):
            return self._name > other._name
        return False

    def __repr__(self) -> str:
        t: object = self._t
        if t is None:
            orig = getattr(self, "__orig_class__", None)
            if orig is not None:
                args = get_args(orig)
                t = args[0] if args else None
        if t is None:
            t_repr = "<<Unknown>>"
        elif isinstance(t, type) and get_origin(t) is None:  # list[int] is a type on 3.10
            t_repr = (
                t.__qualname__
                if t.__module__ == "builtins"
                else (f"{t.__module__}.{t.__qualname__}")
            )
        else:
            t_repr = repr(t)
        return f"<{type(self).__name__}({self._name}, type={t_repr})>"


class AppKey(BaseKey[_T]):
    """Key for :class:`Application` state: ``app[AppKey("db", Engine)]``."""

    __slots__ = ()


class RequestKey(BaseKey[_T]):
    """Key for per-request state stored on a :class:`Request`."""

    __slots__ = ()


class ResponseKey(BaseKey[_T]):
    """Key for state stored on a :class:`StreamResponse`."""

    __slots__ = ()


def warn_str_key(key: object, seen: set[object], key_class: str, anchor: str) -> None:
    """aiohttp's ``NotAppKeyWarning`` for a plain key, once per key and process."""
    if key not in seen and not isinstance(key, BaseKey):
        seen.add(key)
        warnings.warn(
            f"It is recommended to use web.{key_class} instances for keys.\n"
            f"https://docs.aiohttp.org/en/stable/web_advanced.html#{anchor}",
            category=NotAppKeyWarning,
            stacklevel=3,
        )


class ChainMapProxy(Mapping["str | AppKey[Any]", Any]):
    """Read-only view over several mappings, the first one that has a key wins.

    ``Request.config_dict`` is one: the current application first, then each
    parent, so a sub-application sees its parents' configuration.
    """

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[str | AppKey[Any], Any]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls) -> None:
        raise TypeError(f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden")

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | AppKey[Any]) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                continue
        raise KeyError(key)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: _S) -> _T | _S: ...

    @overload
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: str | AppKey[Any], default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        merged: dict[str | AppKey[Any], Any] = {}
        for mapping in reversed(self._maps):
            merged.update(mapping)
        return iter(merged)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        return "ChainMapProxy({})".format(", ".join(map(repr, self._maps)))
