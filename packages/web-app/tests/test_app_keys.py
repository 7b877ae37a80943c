"""Typed keys (AppKey, RequestKey, ResponseKey) and ChainMapProxy."""

from __future__ import annotations

import pytest
from web_app import AppKey, ChainMapProxy, NotAppKeyWarning, RequestKey, ResponseKey

MODULE_KEY = AppKey("module_key", int)


def test_name_is_prefixed_with_defining_module() -> None:
    assert MODULE_KEY.name == f"{__name__}.module_key"


def test_repr_shows_builtin_type() -> None:
    assert repr(MODULE_KEY) == f"<AppKey({__name__}.module_key, type=int)>"


def test_repr_shows_qualified_non_builtin_type() -> None:
    key = AppKey("path", pytest.MonkeyPatch)
    assert repr(key).endswith("type=_pytest.monkeypatch.MonkeyPatch)>")


def test_repr_uses_subscripted_type_when_no_t() -> None:
    key = AppKey[list[int]]("numbers")
    assert repr(key).endswith("type=list[int])>")


def test_repr_unknown_type() -> None:
    key: RequestKey[int] = RequestKey("n")
    assert repr(key).startswith("<RequestKey(")
    assert repr(key).endswith("type=<<Unknown>>)>")


def test_keys_with_same_name_are_distinct() -> None:
    a = AppKey("same", int)
    b = AppKey("same", int)
    assert a != b
    assert len({a, b}) == 2


def test_keys_sort_by_name_and_before_str() -> None:
    b = ResponseKey("b", str)
    a = ResponseKey("a", str)
    assert sorted([b, a]) == [a, b]
    assert a < "zzz"  # typed keys sort above other kinds of keys
    assert not (a > "zzz")


def test_name_must_be_str() -> None:
    with pytest.raises(TypeError):
        AppKey(1)  # type: ignore[arg-type]


def test_not_app_key_warning_is_user_warning() -> None:
    assert issubclass(NotAppKeyWarning, UserWarning)


def test_chain_map_first_mapping_wins() -> None:
    key = AppKey("k", int)
    chain = ChainMapProxy([{key: 1, "a": "first"}, {key: 2, "b": "second"}])
    assert chain[key] == 1
    assert chain["b"] == "second"
    assert chain.get("missing") is None
    assert chain.get("missing", 5) == 5
    assert "a" in chain
    assert "zz" not in chain
    assert len(chain) == 3
    assert set(chain) == {key, "a", "b"}
    assert bool(chain)
    assert not ChainMapProxy([{}, {}])
    with pytest.raises(KeyError):
        chain["nope"]
    assert repr(ChainMapProxy([{"x": 1}])) == "ChainMapProxy({'x': 1})"


def test_chain_map_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError):

        class Sub(ChainMapProxy):
            """Subclassing is refused at class creation."""
