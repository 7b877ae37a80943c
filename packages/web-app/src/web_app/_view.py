"""Class-based views: one class per resource, one method per HTTP verb."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, NoReturn

from web_http import hdrs

from ._exceptions import HTTPMethodNotAllowed

if TYPE_CHECKING:
    from ._app import Request
    from ._stream_response import StreamResponse

__all__ = ("AbstractView", "View")

# verb -> name of the method that serves it; fixed, so computed once
_VERB_METHODS: dict[str, str] = {verb: verb.lower() for verb in hdrs.METH_ALL}


class AbstractView(ABC):
    """A class-based view: built with the request, then awaited for the response."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def request(self) -> Request:
        """The request that this view instance serves."""
        return self._request

    @abstractmethod
    def __await__(self) -> Generator[Any, None, StreamResponse]:
        """Serve the request."""


class View(AbstractView):
    """Base class for class-based views (``router.add_view(path, MyView)``).

    The route calls the class with the request and awaits the instance: the
    method named after the request's verb (``get``, ``post``...) runs; any
    verb without a method, or outside the standard ones, is answered with
    405 and an ``Allow`` header listing the verbs the class implements.
    """

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, StreamResponse]:
        return self._dispatch().__await__()

    async def _dispatch(self) -> StreamResponse:
        name = _VERB_METHODS.get(self._request.method)
        method: Callable[[], Awaitable[StreamResponse]] | None = (
            getattr(self, name, None) if name is not None else None
        )
        if method is None:
            self._raise_allowed_methods()
        return await method()

    def _raise_allowed_methods(self) -> NoReturn:
        allowed = {verb for verb, name in _VERB_METHODS.items() if hasattr(self, name)}
        raise HTTPMethodNotAllowed(self._request.method, allowed)
