"""PayloadWriter with compression, and the Compressor alone."""

from __future__ import annotations

import gzip
import importlib
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from web_app._compression import BROTLI_AVAILABLE, SUPPORTED_ENCODINGS, Compressor
from web_app._writer import PayloadWriter


class _Transport:
    def __init__(self) -> None:
        self.out = bytearray()

    def write(self, data: bytes | bytearray | memoryview, /) -> None:
        self.out += data

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview], /) -> None:
        for data in list_of_data:
            self.out += data

    def is_closing(self) -> bool:
        return False


class _Proto:
    def __init__(self) -> None:
        self.transport = _Transport()
        self.writing_paused = False

    async def wait_writable(self) -> None:
        return None


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while True:
        line, _, data = data.partition(b"\r\n")
        size = int(line, 16)
        if size == 0:
            assert data == b"\r\n"
            return bytes(out)
        out += data[:size]
        assert data[size : size + 2] == b"\r\n"
        data = data[size + 2 :]


BODY = b"The quick brown fox jumps over the lazy dog. " * 200


@pytest.mark.parametrize("encoding", sorted(SUPPORTED_ENCODINGS))
def test_compressor_round_trip(encoding: str) -> None:
    comp = Compressor(encoding)
    data = comp.compress(BODY[:1000]) + comp.compress(BODY[1000:]) + comp.flush()
    assert len(data) < len(BODY) // 4
    if encoding == "gzip":
        assert gzip.decompress(data) == BODY
    elif encoding == "deflate":
        assert zlib.decompress(data) == BODY
    elif encoding == "zstd":
        from web_app._compression import _zstd

        assert _zstd.decompress(data) == BODY
    else:
        import brotli

        assert brotli.decompress(data) == BODY


def _brotli_decompressor() -> Any:
    """Imported only when "br" is among SUPPORTED_ENCODINGS: brotli is an optional extra."""
    return importlib.import_module("brotli").Decompressor()


@pytest.mark.parametrize("encoding", sorted(SUPPORTED_ENCODINGS))
def test_sync_flush_makes_every_piece_decodable_at_once(encoding: str) -> None:
    from web_app._compression import _zstd

    comp = Compressor(encoding, sync_flush=True)
    decoders: dict[str, Callable[[], Any]] = {
        "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
        "deflate": zlib.decompressobj,
        "br": _brotli_decompressor,
        "zstd": lambda: _zstd.ZstdDecompressor(),
    }
    decoder = decoders[encoding]()
    step = decoder.process if encoding == "br" else decoder.decompress
    for piece in (b"event one\n", b"event two\n"):
        assert step(comp.compress(piece)) == piece
    step(comp.flush())


def test_compressor_flush_twice_returns_nothing_and_compress_after_flush_fails() -> None:
    comp = Compressor("gzip")
    comp.flush()
    assert comp.flush() == b""
    with pytest.raises(RuntimeError):
        comp.compress(b"x")


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported content coding"):
        Compressor("zstd-unknown")


def test_level_and_strategy_are_applied() -> None:
    fast = Compressor("deflate", level=1)
    stored = Compressor("deflate", level=0)
    huff = Compressor("deflate", strategy=zlib.Z_HUFFMAN_ONLY)
    sizes = [len(c.compress(BODY) + c.flush()) for c in (fast, stored, huff)]
    assert sizes[1] > len(BODY)  # level 0 stores
    assert sizes[0] < sizes[2] < sizes[1]  # Huffman-only cannot use the repetitions


@pytest.mark.skipif(not BROTLI_AVAILABLE, reason="brotli not installed")
def test_brotli_is_listed() -> None:
    assert "br" in SUPPORTED_ENCODINGS


async def test_writer_gzip_chunked_stream_decodes() -> None:
    proto = _Proto()
    writer = PayloadWriter(proto)
    writer.enable_compression("gzip")
    writer.enable_chunking()
    assert writer.compression == "gzip"
    writer.write_headers(b"HEAD\r\n\r\n")
    for i in range(0, len(BODY), 700):
        await writer.write(BODY[i : i + 700])
    await writer.write_eof(b"tail")
    raw = bytes(proto.transport.out)
    assert raw.startswith(b"HEAD\r\n\r\n")
    assert gzip.decompress(_dechunk(raw[len(b"HEAD\r\n\r\n") :])) == BODY + b"tail"


async def test_writer_deflate_whole_body_in_one_write() -> None:
    proto = _Proto()
    writer = PayloadWriter(proto)
    writer.enable_compression("deflate")
    writer.write_headers(b"H\r\n\r\n")
    await writer.write_eof(BODY)
    raw = bytes(proto.transport.out)
    assert zlib.decompress(raw[len(b"H\r\n\r\n") :]) == BODY
    assert writer.output_size == len(raw)


# -- the API for subclasses that deliver bytes another way: compress, compress_final, mark_eof --


def test_compress_and_compress_final_follow_the_coding() -> None:
    writer = PayloadWriter(_Proto())
    assert writer.compress(b"abc") == b"abc"  # no coding: unchanged
    assert writer.compress_final(b"end") == b"end"
    assert writer.compress_final() == b""
    writer.enable_compression("gzip")
    body = bytes(writer.compress(BODY[:3000])) + bytes(writer.compress_final(BODY[3000:]))
    assert gzip.decompress(body) == BODY
    assert writer.compression == "gzip"


def test_compress_final_without_data_is_the_codec_tail() -> None:
    writer = PayloadWriter(_Proto())
    writer.enable_compression("deflate")
    body = bytes(writer.compress(BODY)) + bytes(writer.compress_final())
    assert zlib.decompress(body) == BODY


async def test_mark_eof_ends_the_writer_without_sending() -> None:
    proto = _Proto()
    writer = PayloadWriter(proto)
    writer.write_headers(b"HTTP/1.1 200 OK\r\n\r\n")
    writer.mark_eof()
    assert writer.eof
    with pytest.raises(RuntimeError, match="after write_eof"):
        await writer.write(b"x")
    await writer.write_eof(b"ignored")  # already ended: returns at once
    assert proto.transport.out == b""
