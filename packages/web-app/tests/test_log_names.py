"""``use_aiohttp_logger_names``: our loggers become children of aiohttp's same-role loggers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from web_app import AIOHTTP_LOGGER_NAMES, use_aiohttp_logger_names


@pytest.fixture
def _restore_parents() -> Iterator[None]:
    saved = {name: logging.getLogger(name).parent for name in AIOHTTP_LOGGER_NAMES}
    yield
    for name, parent in saved.items():
        logger = logging.getLogger(name)
        logger.parent = parent
        logger.setLevel(logger.level)


@pytest.mark.usefixtures("_restore_parents")
def test_levels_and_handlers_of_aiohttp_names_apply() -> None:
    aio_access = logging.getLogger("aiohttp.access")
    ours = logging.getLogger("web.access")
    ours.disabled = True  # as dictConfig leaves loggers it was not told about
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    aio_access.addHandler(handler)
    try:
        use_aiohttp_logger_names()
        use_aiohttp_logger_names()  # idempotent
        assert ours.parent is aio_access and not ours.disabled
        aio_access.setLevel(logging.WARNING)
        assert not ours.isEnabledFor(logging.INFO)
        aio_access.setLevel(logging.INFO)
        assert ours.isEnabledFor(logging.INFO)
        ours.info("served")
    finally:
        aio_access.removeHandler(handler)
        aio_access.setLevel(logging.NOTSET)
    assert [(r.name, r.getMessage()) for r in records] == [("web.access", "served")]
    assert dict(AIOHTTP_LOGGER_NAMES) == {
        "web.access": "aiohttp.access",
        "web.server": "aiohttp.server",
        "web.web": "aiohttp.web",
    }
