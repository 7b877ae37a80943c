"""An application's state: a mapping keyed by ``AppKey`` (or str), shared by its handlers.

``Application`` is an ``AppState``: ``app[key] = value`` while configuring, ``app[key]`` (or
``request.config_dict[key]``) while serving. Changing it once the application is frozen warns
(aiohttp 3.14 warns and goes on), except during startup, where cleanup contexts store what
they open. An application compares by identity: it is a service, not a value.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, MutableMapping
from typing import Any, TypeVar, overload

from ._keys import AppKey, NotAppKeyWarning

__all__ = ("AppState",)

_T = TypeVar("_T")
_U = TypeVar("_U")


class AppState(MutableMapping["str | AppKey[Any]", Any]):
    """The state mapping of ``Application`` (its ``__init__`` sets the attributes below)."""

    _state: dict[str | AppKey[Any], Any]
    _frozen: bool
    #: True while ``on_startup`` runs: state set then does not warn.
    _starting: bool

    def _check_frozen(self) -> None:
        # aiohttp 3.14 warns and goes on (session/login examples store state late)
        if self._frozen and not self._starting:
            warnings.warn(
                "Changing state of started or joined application is deprecated",
                DeprecationWarning,
                stacklevel=3,
            )

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | AppKey[Any]) -> Any:
        return self._state[key]

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: str | AppKey[Any], value: Any) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(
                "It is recommended to use web.AppKey instances for keys.",
                category=NotAppKeyWarning,
                stacklevel=2,
            )
        self._state[key] = value

    def __delitem__(self, key: str | AppKey[Any]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        return iter(self._state)

    def __contains__(self, key: object) -> bool:
        return key in self._state

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...

    @overload
    def get(self, key: AppKey[_T], default: _U) -> _T | _U: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: str | AppKey[Any], default: Any = None) -> Any:
        return self._state.get(key, default)

    # identity semantics: an application is a service, not a value
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True
