"""parse_content_type: RFC 9110 8.3.1 media types with parameters."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from web_http import parse_content_type
from web_http._content_type import _parse_general
from web_http._quoting import quote_string, read_quoted_string


@pytest.mark.parametrize(
    ("value", "mimetype", "params"),
    [
        ("text/html", "text/html", {}),
        ("TEXT/HTML; Charset=UTF-8", "text/html", {"charset": "UTF-8"}),
        ('text/plain; charset="utf-8"', "text/plain", {"charset": "utf-8"}),
        ('a/b; x="q\\"z\\\\"; y=1', "a/b", {"x": 'q"z\\', "y": "1"}),
        ("multipart/form-data; boundary=----abc", "multipart/form-data", {"boundary": "----abc"}),
        ("a/b ; p=1 ;q=2", "a/b", {"p": "1", "q": "2"}),
        ("a/b; p=1; p=2", "a/b", {"p": "1"}),
        ("a/b; flag", "a/b", {"flag": ""}),
        ("a/b;;; p=1;", "a/b", {"p": "1"}),
        ('a/b; p="semi;colon"', "a/b", {"p": "semi;colon"}),
        ("application/vnd.api+json", "application/vnd.api+json", {}),
    ],
    ids=[
        "plain",
        "case",
        "quoted",
        "quoted-pairs",
        "boundary",
        "spaces",
        "first-wins",
        "no-value",
        "empty-params",
        "quoted-semicolon",
        "suffix",
    ],
)
def test_valid(value: str, mimetype: str, params: dict[str, str]) -> None:
    got_type, got_params = parse_content_type(value)
    assert got_type == mimetype
    assert dict(got_params) == params


@pytest.mark.parametrize(
    "value",
    [None, "", "garbage", "text/", "/html", "text/html junk", "te xt/html", "text/ht@ml"],
)
def test_malformed_is_octet_stream(value: str | None) -> None:
    mimetype, params = parse_content_type(value)
    assert mimetype == "application/octet-stream"
    assert dict(params) == {}


def test_params_read_only() -> None:
    _, params = parse_content_type("a/b; x=1")
    with pytest.raises(TypeError):
        params["x"] = "2"  # type: ignore[index]


def test_answers_are_kept_per_exact_value() -> None:
    # Parsed answers are reused: values that differ only in a parameter's case stay apart,
    # and more distinct values than are kept still parse right.
    for _ in range(2):
        assert dict(parse_content_type("A/B; X=Token")[1]) == {"x": "Token"}
        assert dict(parse_content_type("a/b; x=token")[1]) == {"x": "token"}
    for i in range(600):
        assert parse_content_type(f"multipart/form-data; boundary=b{i}")[1]["boundary"] == f"b{i}"


def test_unterminated_quote_drops_rest() -> None:
    assert dict(parse_content_type('a/b; x=1; y="open; z=2')[1]) == {"x": "1"}


def test_junk_parameters_are_skipped() -> None:
    assert dict(parse_content_type("a/b; @@@; x=1; y=@")[1]) == {"x": "1"}


@given(
    st.text(
        alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"),
        max_size=40,
    )
)
def test_quoted_string_round_trip(value: str) -> None:
    quoted = quote_string(value)
    if quoted.startswith('"'):
        assert read_quoted_string(quoted, 0) == (value, len(quoted))
    else:
        assert quoted == value
    _, params = parse_content_type(f"a/b; p={quoted}")
    assert params["p"] == value


def test_quote_string_refuses_controls() -> None:
    with pytest.raises(ValueError):
        quote_string("a\r\nb")


_TCHARS = "!#$%&'*+-.^_`|~09AZaz"
_piece = st.text(alphabet=st.sampled_from([*_TCHARS, " ", "\t", ";", "=", '"', "/", "@", "\\"]))


@given(
    st.lists(_piece, min_size=1, max_size=8).map("".join)
    | st.tuples(
        st.text(alphabet=_TCHARS, min_size=1, max_size=4),
        st.text(alphabet=_TCHARS, min_size=1, max_size=4),
        st.sampled_from(["", ";", " ; ", "\t;"]),
        st.text(alphabet=_TCHARS, max_size=4),
        st.sampled_from(["=", " =", "= ", ""]),
        st.text(alphabet=[*_TCHARS, '"', " "], max_size=4),
        st.sampled_from(["", " ", "\t", ";", " x"]),
    ).map(lambda t: f"{t[0]}/{t[1]}{t[2]}{t[3]}{t[4]}{t[5]}{t[6]}")
)
def test_one_match_shapes_agree_with_the_general_parser(value: str) -> None:
    # The one-match path for "type/subtype[; token=token]" and the general parser (where
    # every other shape falls back) give the same answer for any value.
    got_type, got_params = parse_content_type.__wrapped__(value)
    want_type, want_params = _parse_general(value)
    assert (got_type, dict(got_params)) == (want_type, dict(want_params))


@pytest.mark.parametrize(
    ("value", "mimetype", "params"),
    [
        ("Multipart/Form-Data; Boundary=AbC", "multipart/form-data", {"boundary": "AbC"}),
        ("text/html \t", "text/html", {}),
        ("a/b;x=1", "a/b", {"x": "1"}),
        (" a/b; x=1", "a/b", {"x": "1"}),  # leading OWS: the general path
        ("a/b; x = 1", "a/b", {"x": "1"}),  # OWS around "=": the general path
        ('a/b; x="1"', "a/b", {"x": "1"}),  # quoted: the general path
        ("a/b; x=1; y=2", "a/b", {"x": "1", "y": "2"}),  # two parameters: the general path
        ("a/b; x=", "a/b", {}),  # no value: the general path
        ("a/b; x=@", "a/b", {}),  # not a token: the general path
    ],
)
def test_one_match_path_and_its_fallbacks(
    value: str, mimetype: str, params: dict[str, str]
) -> None:
    got_type, got_params = parse_content_type(value)
    assert (got_type, dict(got_params)) == (mimetype, params)
