"""Content decoding of bodies: codings, bounded output, bombs, corrupt data."""

from __future__ import annotations

import gzip
import zlib

import pytest
from web_http import (
    ContentEncodingError,
    Data,
    EndOfMessage,
    Event,
    HttpRequestParser,
    PayloadTooLarge,
    RequestHead,
    _decoders,
    make_decoder,
    supported_encodings,
)
from web_http._decoders import CHUNK_SIZE

try:
    import brotli
except ImportError:  # brotli is the optional "brotli" extra
    brotli = None

zstd = _decoders._zstd  # compression.zstd (3.14+) or backports.zstd, if installed

needs_brotli = pytest.mark.skipif(brotli is None, reason="brotli extra not installed")

TEXT = b"The quick brown fox jumps over the lazy dog. " * 200


def _deflate(data: bytes, wbits: int) -> bytes:
    obj = zlib.compressobj(wbits=wbits)
    return obj.compress(data) + obj.flush()


ENCODED = {
    "gzip": gzip.compress(TEXT),
    "x-gzip": gzip.compress(TEXT),
    "deflate": _deflate(TEXT, zlib.MAX_WBITS),
    "deflate-raw": _deflate(TEXT, -zlib.MAX_WBITS),
}
if brotli is not None:
    ENCODED["br"] = brotli.compress(TEXT)


def request(coding: str, body: bytes, chunked: bool = False) -> bytes:
    head = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: " + coding.encode() + b"\r\n"
    if chunked:
        return head + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
    return head + b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


def feed_all(parser: HttpRequestParser, raw: bytes, step: int) -> list[Event]:
    events: list[Event] = []
    for i in range(0, len(raw), step):
        events += parser.feed(raw[i : i + step])
    return events


def body_of(events: list[Event]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Data))


@pytest.mark.parametrize("name", sorted(ENCODED))
@pytest.mark.parametrize("step", [1, 7, 100000])
@pytest.mark.parametrize("chunked", [False, True])
def test_decodes_each_coding(name: str, step: int, chunked: bool) -> None:
    coding = "deflate" if name == "deflate-raw" else name
    events = feed_all(HttpRequestParser(), request(coding, ENCODED[name], chunked), step)
    assert body_of(events) == TEXT
    assert isinstance(events[-1], EndOfMessage)


def test_auto_decompress_off_passes_bytes_through() -> None:
    events = HttpRequestParser(auto_decompress=False).feed(request("gzip", ENCODED["gzip"]))
    assert body_of(events) == ENCODED["gzip"]


def test_unknown_coding_passes_through() -> None:
    events = HttpRequestParser().feed(request("compress", b"abc"))
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.encoding == "compress"
    assert body_of(events) == b"abc"


def test_concatenated_gzip_members() -> None:
    body = gzip.compress(b"one ") + gzip.compress(b"two")
    assert body_of(HttpRequestParser().feed(request("gzip", body))) == b"one two"


def test_bomb_is_stopped_by_the_bound() -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    events = HttpRequestParser(max_decompressed_size=1024 * 1024).feed(request("gzip", bomb))
    assert isinstance(events[-1], PayloadTooLarge)
    assert events[-1].code == 413
    assert sum(len(e.data) for e in events if isinstance(e, Data)) <= 1024 * 1024


def test_unbounded_decoding_still_comes_in_bounded_pieces() -> None:
    big = gzip.compress(b"a" * (CHUNK_SIZE * 5 + 3))
    events = HttpRequestParser().feed(request("gzip", big))
    pieces = [e.data for e in events if isinstance(e, Data)]
    assert max(map(len, pieces)) <= CHUNK_SIZE
    assert b"".join(pieces) == b"a" * (CHUNK_SIZE * 5 + 3)


@needs_brotli
def test_brotli_bomb_is_stopped() -> None:
    bomb = brotli.compress(b"\0" * (20 * 1024 * 1024))
    events = HttpRequestParser(max_decompressed_size=100_000).feed(request("br", bomb))
    assert isinstance(events[-1], PayloadTooLarge)


@pytest.mark.parametrize("coding", ["gzip", "deflate", pytest.param("br", marks=needs_brotli)])
def test_corrupt_data_is_400(coding: str) -> None:
    events = HttpRequestParser().feed(request(coding, b"\x1f\x8b\x08garbage-not-compressed"))
    assert isinstance(events[-1], ContentEncodingError)
    assert events[-1].code == 400


@pytest.mark.parametrize("coding", ["gzip", "deflate", pytest.param("br", marks=needs_brotli)])
def test_truncated_stream_is_400(coding: str) -> None:
    name = coding
    body = ENCODED[name][: len(ENCODED[name]) // 2]
    events = HttpRequestParser().feed(request(coding, body))
    assert isinstance(events[-1], ContentEncodingError)


def test_data_after_deflate_end_is_400() -> None:
    events = HttpRequestParser().feed(request("deflate", ENCODED["deflate"] + b"junk"))
    assert isinstance(events[-1], ContentEncodingError)


def test_make_decoder_direct_use() -> None:
    assert make_decoder(None, None) is None
    assert make_decoder("identity", None) is None
    decoder = make_decoder("gzip", 10)
    assert decoder is not None
    with pytest.raises(PayloadTooLarge):
        decoder.decompress(gzip.compress(b"x" * 11))
    assert {"gzip", "x-gzip", "deflate"} <= supported_encodings()
    assert ("br" in supported_encodings()) is (brotli is not None)


def test_zstd_without_its_extra_is_a_clear_400(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_decoders, "_zstd", None)  # as on Python < 3.14 without the extra
    events = HttpRequestParser().feed(request("zstd", b"\x28\xb5\x2f\xfd"))
    assert isinstance(events[-1], ContentEncodingError)
    assert "zstd" in str(events[-1])
    assert "zstd" not in supported_encodings()


needs_zstd = pytest.mark.skipif(zstd is None, reason="needs Python 3.14+ or backports.zstd")


@needs_zstd
@pytest.mark.parametrize("step", [1, 7, 100_000])
def test_zstd_body_decodes_in_any_split(step: int) -> None:
    assert zstd is not None
    raw = request("zstd", zstd.compress(TEXT))
    events = feed_all(HttpRequestParser(), raw, step)
    assert b"".join(e.data for e in events if isinstance(e, Data)) == TEXT
    assert isinstance(events[-1], EndOfMessage)


@needs_zstd
def test_zstd_bomb_is_stopped_in_bounded_pieces() -> None:
    assert zstd is not None
    bomb = zstd.compress(b"\0" * (50 * 1024 * 1024))
    assert len(bomb) < 4096
    events = HttpRequestParser(max_decompressed_size=1_000_000).feed(request("zstd", bomb))
    assert isinstance(events[-1], PayloadTooLarge)
    decoder = make_decoder("zstd", None)
    assert decoder is not None
    pieces = decoder.decompress(zstd.compress(b"\0" * (5 * CHUNK_SIZE + 1)))
    assert max(map(len, pieces)) == CHUNK_SIZE and sum(map(len, pieces)) == 5 * CHUNK_SIZE + 1


@needs_zstd
@pytest.mark.parametrize("damage", ["corrupt", "truncated", "trailing"])
def test_bad_zstd_is_400(damage: str) -> None:
    assert zstd is not None
    good = zstd.compress(TEXT)
    body = {
        "corrupt": good[:4] + b"garbage" * 10,
        "truncated": good[: len(good) // 2],
        "trailing": good + b"junk",
    }[damage]
    events = HttpRequestParser().feed(request("zstd", body))
    assert isinstance(events[-1], ContentEncodingError)
    assert events[-1].code == 400


def test_deflate_body_of_one_byte_is_400() -> None:
    events = HttpRequestParser().feed(request("deflate", b"x"))
    assert isinstance(events[-1], ContentEncodingError)


def test_empty_chunked_compressed_body_is_empty() -> None:
    events = HttpRequestParser().feed(request("gzip", b"", chunked=False))
    assert isinstance(events[-1], EndOfMessage)
    raw = (
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    )
    events = HttpRequestParser().feed(raw)
    assert body_of(events) == b""
    assert isinstance(events[-1], EndOfMessage)
