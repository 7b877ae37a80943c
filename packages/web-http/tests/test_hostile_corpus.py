"""A corpus of hostile and malformed requests, each with the outcome a client must see.

Outcome is either the status code of the error event (the connection answers it and
closes) or ``OK(n)``: exactly ``n`` complete requests and no error. Each case is also fed
one byte at a time, which must give the same outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from web_http import (
    EndOfMessage,
    HttpLimits,
    HttpProcessingError,
    HttpRequestParser,
    RequestHead,
)


@dataclass(frozen=True)
class OK:
    requests: int


H = b"Host: example.com\r\n"
LONG = 8191
SMALL = HttpLimits(max_line_size=100, max_field_size=100, max_headers=300, max_header_count=10)

CASES: list[tuple[str, bytes, int | OK]] = [
    # --- request line grammar ---
    ("plain-get", b"GET / HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("leading-crlf-ignored", b"\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("lowercase-method-token", b"get / HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("extension-method", b"PROPFIND / HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("method-with-slash", b"GE/T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method-with-nonascii", b"G\xc3\x89T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("empty-method", b" / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("two-spaces", b"GET  / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("tab-separator", b"GET\t/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("trailing-space", b"GET / HTTP/1.1 \r\n" + H + b"\r\n", 400),
    ("http09", b"GET /\r\n\r\n", 400),
    ("missing-target", b"GET HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("version-lowercase", b"GET / http/1.1\r\n" + H + b"\r\n", 400),
    ("version-2", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("version-0-9", b"GET / HTTP/0.9\r\n" + H + b"\r\n", 505),
    ("version-1-2", b"GET / HTTP/1.2\r\n" + H + b"\r\n", 505),
    ("version-two-digits", b"GET / HTTP/1.10\r\n" + H + b"\r\n", 400),
    ("version-garbage", b"GET / HTTX/1.1\r\n" + H + b"\r\n", 400),
    ("http10-no-host-ok", b"GET / HTTP/1.0\r\n\r\n", OK(1)),
    ("garbage-line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    ("nul-in-request-line", b"GET /\x00 HTTP/1.1\r\n" + H + b"\r\n", 400),
    # --- request-target forms ---
    ("absolute-form", b"GET http://example.com/x HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("asterisk-options", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("asterisk-get", b"GET * HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("authority-connect", b"CONNECT example.com:443 HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("authority-connect-no-port", b"CONNECT example.com HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect-origin-form", b"CONNECT / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("authority-form-get", b"GET example.com:80 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("relative-target", b"GET foo/bar HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("non-ascii-target", b"GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("del-in-target", b"GET /a\x7f HTTP/1.1\r\n" + H + b"\r\n", 400),
    # found by the fuzzer (test_fuzz_codecs.py): two faults in one head give one status
    # however the bytes are cut, whichever of the two is reported
    ("nul-then-bare-lf", b"GET / HTTP/1.1\x00\n" + H + b"\r\n", 400),
    ("fragment-origin-form", b"GET /a#frag HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("fragment-after-query", b"GET /a?b=c#frag HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("fragment-empty", b"GET /# HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("fragment-absolute-form", b"GET http://example.com/#x HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("escaped-hash-ok", b"GET /a%23b HTTP/1.1\r\n" + H + b"\r\n", OK(1)),
    ("target-too-long", b"GET /" + b"a" * LONG + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    ("target-too-long-unterminated", b"GET /" + b"a" * (LONG + 10), 414),
    # --- header grammar ---
    ("space-before-colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : 1\r\n\r\n", 400),
    ("tab-before-colon", b"GET / HTTP/1.1\r\n" + H + b"X-A\t: 1\r\n\r\n", 400),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X-A: 1\r\n  continued\r\n\r\n", 400),
    ("obs-fold-tab", b"GET / HTTP/1.1\r\n" + H + b"X-A: 1\r\n\tcontinued\r\n\r\n", 400),
    ("no-colon", b"GET / HTTP/1.1\r\n" + H + b"NoColonHere\r\n\r\n", 400),
    ("empty-name", b"GET / HTTP/1.1\r\n" + H + b": value\r\n\r\n", 400),
    ("name-with-slash", b"GET / HTTP/1.1\r\n" + H + b"X/Y: 1\r\n\r\n", 400),
    ("name-nonascii", b"GET / HTTP/1.1\r\n" + H + b"X\xff: 1\r\n\r\n", 400),
    ("nul-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("bare-cr-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n", 400),
    ("bare-lf-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\nb\r\n\r\n", 400),
    ("bare-lf-line-ends", b"GET / HTTP/1.1\n" + H + b"\n", 400),
    ("bare-lf-head-end", b"GET / HTTP/1.1\r\n" + H + b"\n", 400),
    ("vertical-tab-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x0bb\r\n\r\n", 400),
    ("escape-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: \x1b[31m\r\n\r\n", 400),
    ("del-in-value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x7f\r\n\r\n", 400),
    ("obs-text-value-ok", b"GET / HTTP/1.1\r\n" + H + b"X-A: caf\xc3\xa9\r\n\r\n", OK(1)),
    ("tab-in-value-ok", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\tb\r\n\r\n", OK(1)),
    ("empty-value-ok", b"GET / HTTP/1.1\r\n" + H + b"X-A:\r\n\r\n", OK(1)),
    # --- Host ---
    ("missing-host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("duplicate-host", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400),
    ("duplicate-host-10", b"GET / HTTP/1.0\r\n" + H + H + b"\r\n", 400),
    ("host-with-space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    ("host-with-slash", b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    ("host-with-at", b"GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
    ("host-port-letters", b"GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400),
    ("host-ipv6-ok", b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", OK(1)),
    ("host-port-ok", b"GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", OK(1)),
    ("host-empty-ok", b"GET / HTTP/1.1\r\nHost:\r\n\r\n", OK(1)),
    # --- Content-Length ---
    ("cl-ok", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc", OK(1)),
    ("cl-negative", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400),
    ("cl-plus", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +3\r\n\r\nabc", 400),
    ("cl-hex", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 0x3\r\n\r\nabc", 400),
    ("cl-empty", b"POST / HTTP/1.1\r\n" + H + b"Content-Length:\r\n\r\n", 400),
    ("cl-underscore", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1_0\r\n\r\n", 400),
    ("cl-unicode-digit", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: \xd9\xa3\r\n\r\n", 400),
    ("cl-huge", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: " + b"9" * 40 + b"\r\n\r\n", 400),
    (
        "cl-equal-dupes-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        OK(1),
    ),
    ("cl-equal-list-ok", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3, 3\r\n\r\nabc", OK(1)),
    (
        "cl-differing",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        400,
    ),
    ("cl-differing-list", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3, 4\r\n\r\nabc", 400),
    (
        "cl-smuggled-request-counts",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nGET /"
        b"GET / HTTP/1.1\r\n" + H + b"\r\n",
        OK(2),
    ),
    # --- Transfer-Encoding ---
    (
        "te-chunked-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        OK(1),
    ),
    (
        "te-chunked-case-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n",
        OK(1),
    ),
    (
        "cl-and-te",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
        400,
    ),
    (
        "te-and-cl",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        b"0\r\n\r\n",
        400,
    ),
    ("te-http10", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te-gzip-only", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 501),
    (
        "te-chunked-not-last",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
        501,
    ),
    ("te-unknown", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: xchunked\r\n\r\n", 501),
    (
        "te-gzip-chunked",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        501,
    ),
    (
        "te-chunked-twice",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    (
        "te-two-fields-chunked-twice",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    ("te-empty", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\n\r\n", 400),
    (
        "te-with-params",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
        501,
    ),
    (
        "te-vertical-tab",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    # --- chunked framing ---
    (
        "chunk-size-hex-upper-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"A\r\n0123456789\r\n0\r\n\r\n",
        OK(1),
    ),
    (
        "chunk-size-0x",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-negative",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-space",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-leading-space",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-empty",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-too-many-digits",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
        b"\r\n" + b"0" * 17 + b"1\r\na\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-size-overflow",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        400,
    ),
    (
        "chunk-size-bare-lf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-data-missing-crlf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-data-bare-lf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-data-too-long-smuggle",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked"
        b"\r\n\r\n3\r\nabcGET / HTTP/1.1\r\n\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b'3;name=value;flag;q="quoted \\" str"\r\nabc\r\n0\r\n\r\n',
        OK(1),
    ),
    (
        "chunk-ext-bws-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"3 ; name = value\r\nabc\r\n0\r\n\r\n",
        OK(1),
    ),
    (
        "chunk-ext-bare-cr",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"3;a\rb\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-bare-lf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"3;a\nb\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-nul",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"3;a=\x00\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-no-name",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3;=x\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-unterminated-quote",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked"
        b'\r\n\r\n3;a="x\r\nabc\r\n0\r\n\r\n',
        400,
    ),
    (
        "chunk-ext-too-long",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"3;a=" + b"x" * 5000 + b"\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk-ext-endless",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3;a=" + b"x" * 5000,
        400,
    ),
    (
        "trailers-ok",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"0\r\nX-Checksum: 1\r\n\r\n",
        OK(1),
    ),
    (
        "trailer-bad-name",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX Y: 1\r\n\r\n",
        400,
    ),
    (
        "trailer-obs-fold",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n  2\r\n\r\n",
        400,
    ),
    (
        "trailer-nul",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: \x00\r\n\r\n",
        400,
    ),
    (
        "trailer-bare-lf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\n",
        400,
    ),
    (
        "trailers-too-large",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"0\r\n" + b"X: " + b"y" * 40000 + b"\r\n\r\n",
        431,
    ),
    (
        "last-chunk-bare-cr",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\rX",
        400,
    ),
    (
        "pipelined-after-chunked",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        OK(2),
    ),
    # --- limits ---
    ("header-line-too-long", b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * LONG + b"\r\n\r\n", 431),
    ("header-line-endless", b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * (LONG + 10), 431),
    (
        "header-section-too-large",
        b"GET / HTTP/1.1\r\n"
        + H
        + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 4000) for i in range(9))
        + b"\r\n",
        431,
    ),
    (
        "header-section-endless",
        b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 4000) for i in range(9)),
        431,
    ),
    ("too-many-fields", b"GET / HTTP/1.1\r\n" + H + b"X: 1\r\n" * 300 + b"\r\n", 431),
    # --- expect / upgrade ---
    (
        "upgrade-websocket",
        b"GET / HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        OK(1),
    ),
    (
        "upgrade-h2c-ignored",
        b"GET / HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\n"
        b"Upgrade: h2c\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        OK(2),
    ),
]

SMALL_CASES: list[tuple[str, bytes, int | OK]] = [
    ("small-line-414", b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    ("small-field-431", b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 100 + b"\r\n\r\n", 431),
    (
        "small-section-431",
        b"GET / HTTP/1.1\r\n"
        + H
        + b"X: "
        + b"a" * 90
        + b"\r\n" * 0
        + b"".join(b"X%d: %s\r\n" % (i, b"a" * 80) for i in range(4))
        + b"\r\n",
        431,
    ),
    ("small-count-431", b"GET / HTTP/1.1\r\n" + H + b"X: 1\r\n" * 10 + b"\r\n", 431),
    ("small-ok", b"GET / HTTP/1.1\r\n" + H + b"X: 1\r\n" * 5 + b"\r\n", OK(1)),
]


def _outcome(parser: HttpRequestParser, pieces: list[bytes]) -> int | OK:
    done = 0
    for piece in pieces:
        for event in parser.feed(piece):
            if isinstance(event, HttpProcessingError):
                return event.code
            if isinstance(event, EndOfMessage):
                done += 1
            assert isinstance(event, RequestHead | EndOfMessage) or hasattr(event, "data")
    return OK(done)


def _ids(cases: list[tuple[str, bytes, int | OK]]) -> list[str]:
    return [c[0] for c in cases]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) + len(SMALL_CASES) >= 80
    assert len({c[0] for c in CASES + SMALL_CASES}) == len(CASES) + len(SMALL_CASES)


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=_ids(CASES))
def test_corpus_whole(name: str, raw: bytes, expected: int | OK) -> None:
    assert _outcome(HttpRequestParser(), [raw]) == expected


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=_ids(CASES))
def test_corpus_byte_by_byte(name: str, raw: bytes, expected: int | OK) -> None:
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert _outcome(HttpRequestParser(), pieces) == expected


@pytest.mark.parametrize(("name", "raw", "expected"), SMALL_CASES, ids=_ids(SMALL_CASES))
def test_corpus_small_limits(name: str, raw: bytes, expected: int | OK) -> None:
    assert _outcome(HttpRequestParser(limits=SMALL), [raw]) == expected
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert _outcome(HttpRequestParser(limits=SMALL), pieces) == expected
