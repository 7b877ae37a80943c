"""Content-Disposition parsing (RFC 6266, RFC 7578 4.2, RFC 2231/5987 parameters)."""

from __future__ import annotations

import pytest
from web_http import (
    content_disposition_filename,
    content_disposition_header,
    parse_content_disposition,
)


@pytest.mark.parametrize(
    ("header", "disptype", "params"),
    [
        ('form-data; name="a"', "form-data", {"name": "a"}),
        ("Attachment; FileName=x.txt", "attachment", {"filename": "x.txt"}),
        (
            'form-data; name="f"; filename="a b.txt"',
            "form-data",
            {"name": "f", "filename": "a b.txt"},
        ),
        ('form-data; filename="C:\\dir\\x.txt"', "form-data", {"filename": "C:\\dir\\x.txt"}),
        ('form-data; filename="q\\"uote"', "form-data", {"filename": 'q"uote'}),
        ("form-data; filename*=UTF-8''%e2%82%ac.txt", "form-data", {"filename*": "€.txt"}),
        ("form-data; filename*=iso-8859-1'en'%A3.txt", "form-data", {"filename*": "£.txt"}),
        ('form-data; filename="é.txt"', "form-data", {"filename": "é.txt"}),
        ("inline;", "inline", {}),
        ("form-data; filename*=UTF-8''%ff", "form-data", {}),
        ("form-data; filename*=bogus''x", "form-data", {}),
    ],
    ids=[
        "name",
        "case",
        "quoted",
        "backslash-kept",
        "escaped-quote",
        "ext-utf8",
        "ext-latin1",
        "raw-utf8",
        "trailing-semicolon",
        "ext-bad-utf8-ignored",
        "ext-no-charset-ignored",
    ],
)
def test_parse(header: str, disptype: str, params: dict[str, str]) -> None:
    assert parse_content_disposition(header) == (disptype, params)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        '"quoted-type"',
        "form-data name=a",
        "form-data; name",
        'form-data; name="open',
        "form-data; name=a b",
        "form-data; name=a; name=b",
        "form-data; =x",
    ],
)
def test_invalid_gives_none(header: str | None) -> None:
    assert parse_content_disposition(header) == (None, {})


def test_filename_preference_and_continuations() -> None:
    _, params = parse_content_disposition(
        "attachment; filename=plain.txt; filename*=UTF-8''%e2%82%ac.txt"
    )
    assert content_disposition_filename(params) == "€.txt"
    _, params = parse_content_disposition("attachment; filename=plain.txt")
    assert content_disposition_filename(params) == "plain.txt"
    assert content_disposition_filename(params, "name") is None
    parts = "; ".join(f'filename*{i}="p{i}"' for i in range(12))
    _, params = parse_content_disposition("attachment; " + parts)
    assert content_disposition_filename(params) == "".join(f"p{i}" for i in range(12))
    _, params = parse_content_disposition(
        "attachment; filename*0*=UTF-8''%e2%82; filename*1*=%ac; filename*2=.txt"
    )
    assert content_disposition_filename(params) == "€.txt"
    _, params = parse_content_disposition('attachment; filename*0="a"; filename*2="c"')
    assert content_disposition_filename(params) == "a"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # The plain shape a form part carries: the fast path.
        ('form-data; name="t"', ("form-data", {"name": "t"})),
        (
            'form-data; name="f"; filename="a\tb é.txt"',
            ("form-data", {"name": "f", "filename": "a\tb é.txt"}),
        ),
        ('form-data; name=""; filename=""', ("form-data", {"name": "", "filename": ""})),
        # Near misses take the general parser and keep its answers.
        ('form-data; name="a\\"b"', ("form-data", {"name": 'a"b'})),
        ('form-data;name="a"', ("form-data", {"name": "a"})),
        ('Form-Data; NAME="a"', ("form-data", {"name": "a"})),
        ('form-data; name="a"; filename="x"; filename="y"', (None, {})),
        (
            "form-data; name=\"a\"; filename*=UTF-8''%e2%82%ac",
            ("form-data", {"name": "a", "filename*": "€"}),
        ),
        ('form-data; name="a";', ("form-data", {"name": "a"})),
        ('form-data; name="a\x01"', (None, {})),
        ('form-data; filename="x"; name="a"', ("form-data", {"filename": "x", "name": "a"})),
        ('form-data; name="a" ', ("form-data", {"name": "a"})),
    ],
)
def test_form_field_shape(header: str, expected: tuple[str | None, dict[str, str]]) -> None:
    assert parse_content_disposition(header) == expected


def test_header_cached_answer_is_the_computed_one() -> None:
    content_disposition_header.cache_clear()
    args = {"name": "file", "filename": "f.bin"}
    cold = content_disposition_header("form-data", **args)
    assert content_disposition_header.cache_info().misses == 1
    warm = content_disposition_header("form-data", **args)
    assert content_disposition_header.cache_info().hits == 1
    assert cold == warm == 'form-data; name="file"; filename="f.bin"'
    # The arguments decide the value: another quoting mode is another entry.
    assert content_disposition_header("form-data", True, name="a b") == 'form-data; name="a b"'
    assert content_disposition_header("form-data", False, name="é") == 'form-data; name="é"'
    assert content_disposition_header("form-data", True, name="é") == (
        "form-data; name*=utf-8''%C3%A9"
    )
    assert content_disposition_header.cache_info().maxsize == 256


def test_header_errors_are_raised_every_time() -> None:
    content_disposition_header.cache_clear()
    for _ in range(2):
        with pytest.raises(ValueError, match="Newline"):
            content_disposition_header("attachment", filename="a\r\nb")
        with pytest.raises(ValueError, match="bad content disposition type"):
            content_disposition_header("bad type", name="x")
    assert content_disposition_header.cache_info().currsize == 0
