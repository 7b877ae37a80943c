"""Every ```python sample of this package's README runs as written, as a test module.

Each sample becomes a test file of a fresh pytest session with no configuration at all
(pytest-asyncio in its default strict mode), which is how a newcomer first runs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parent.parent / "README.md"
SAMPLE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_readme_samples_pass_in_a_fresh_session(pytester: pytest.Pytester) -> None:
    samples = SAMPLE.findall(README.read_text())
    assert len(samples) >= 3
    pytester.makepyfile(**{f"test_sample_{i}": code for i, code in enumerate(samples)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(samples))
