"""Every parameter aiohttp 3.14's ``web`` API takes is taken here too.

``data/aiohttp_3_14_signatures.json`` holds the parameter names and kinds of each public
callable, class constructor and method reachable from aiohttp 3.14.5's ``web`` namespace
(plus ``FormData``, ``MultipartWriter``, ``MultipartReader``, ``BodyPartReader``), recorded
once with ``inspect.signature``. A name aiohttp accepts and we reject is a porting bug; the
few deliberate gaps are listed below with their reason.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
import web

RECORDED: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "aiohttp_3_14_signatures.json").read_text()
)

#: What we leave out on purpose (the migration guide says why).
GAPS = {
    # aiohttp's connection internals, not part of the documented server API.
    "RequestHandler.finish_response",
    "RequestHandler.handle_error",
    "RequestHandler.log_access",
    "RequestHandler.log_debug",
    "RequestHandler.log_exception",
    "RequestHandler.start",
    "RequestHandler.resume_reading",
    "RequestHandler.set_parser",
    # The client side of aiohttp, and a step of its parser loop.
    "MultipartReader.from_response",
    "MultipartReader.fetch_next_part",
    # Router internals of aiohttp's resource index.
    "UrlDispatcher.index_resource",
    "UrlDispatcher.unindex_resource",
    "PrefixedSubAppResource.raw_match",
    "StaticResource.raw_match",
}

EXTRAS = ("FormData", "MultipartWriter", "MultipartReader", "BodyPartReader")


def _resolve(key: str) -> Any:
    owner, _, attr = key.partition(".")
    obj = getattr(web, owner)
    if attr == "__init__":
        return obj  # the class's call signature (a NamedTuple has it on __new__)
    return getattr(obj, attr) if attr else obj


def _params(fn: Any) -> dict[str, inspect.Parameter] | None:
    try:
        return dict(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None  # a C-level callable without a signature


@pytest.mark.parametrize("key", sorted(k for k in RECORDED if k not in GAPS))
def test_every_aiohttp_parameter_is_accepted(key: str) -> None:
    target = _resolve(key)
    ours = _params(target)
    if ours is None and inspect.isclass(target):
        ours = _params(target.__init__)  # an exception class: (self, *args, **kwargs)
    if ours is None:
        pytest.fail(f"{key} has no inspectable signature")
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in ours.values())
    missing = [
        name
        for name, kind in RECORDED[key].items()
        if name not in ours
        and kind not in ("VAR_KEYWORD", "VAR_POSITIONAL")
        and not (takes_kwargs and kind == "KEYWORD_ONLY")
    ]
    assert not missing, f"{key} rejects aiohttp's parameter(s) {missing}"


def test_the_record_covers_the_namespace() -> None:
    owners = {key.partition(".")[0] for key in RECORDED}
    assert set(EXTRAS) <= owners
    assert len(owners & set(web.__all__)) > 100
