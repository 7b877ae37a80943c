"""Parser benchmark: ours against aiohttp's pure-Python and C request parsers.

Run with the workspace venv: ``python tools/bench/parser.py``. aiohttp lives only in
``.bench/aiohttp-venv`` (created with pip when absent); its figures come from a small script
run under that interpreter, so aiohttp is never imported into our environment.

Cases: ``wrk`` (the tiny GET head wrk sends), ``head`` (a 528-byte, 12-field browser
head), ``chunked`` (a POST with a 64 KiB chunked body) and ``serialize5`` (a response head
with 5 fields from a CIMultiDict, against aiohttp's ``_serialize_headers`` given the status
line it formats per response).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AIOHTTP_VENV = ROOT / ".bench" / "aiohttp-venv"

WRK = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

HEAD = (
    b"GET /static/app/main.js?v=3f2a9c HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"Connection: keep-alive\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    b"Chrome/126.0 Safari/537.36\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Encoding: gzip, deflate, br\r\n"
    b"Accept-Language: en-US,en;q=0.9\r\n"
    b"Cache-Control: no-cache\r\n"
    b"Pragma: no-cache\r\n"
    b"Referer: https://www.example.com/index.html\r\n"
    b"Sec-Fetch-Dest: script\r\n"
    b"Sec-Fetch-Mode: no-cors\r\n"
    b"Cookie: session=0123456789abcdef; theme=dark\r\n"
    b"\r\n"
)


def _chunked_body() -> bytes:
    payload = b"x" * 4096
    chunk = b"%x\r\n%b\r\n" % (len(payload), payload)
    return (
        b"POST /upload HTTP/1.1\r\nHost: www.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunk * 16
        + b"0\r\n\r\n"
    )


CHUNKED = _chunked_body()

#: The 5 fields of a typical small response.
RESPONSE_FIELDS = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", "13"),
    ("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),
    ("Server", "Python/3.11 web"),
    ("Connection", "keep-alive"),
)

# Runs under the aiohttp venv: prints {"py": {...}, "c": {...}} in microseconds per parse.
AIOHTTP_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from aiohttp import http_parser, http_writer
    from multidict import CIMultiDict

    wrk, head, chunked, fields, rounds = sys.stdin.buffer.read().split(b"\\0SPLIT\\0")
    rounds = int(rounds)

    def measure(cls, data, rounds):
        loop = asyncio.new_event_loop()
        class Protocol:  # the few members aiohttp's parser and StreamReader touch
            _reading_paused = False
            def pause_reading(self, *a, **k): pass
            def resume_reading(self, *a, **k): pass
        protocol = Protocol()
        def make():
            return cls(protocol, loop, 2**16, max_line_size=8190, max_field_size=8190)
        # warm up, then time fresh parsers (ours is timed the same way)
        for _ in range(200):
            msgs, _upgraded, _tail = make().feed_data(data)
            assert len(msgs) == 1, msgs
        best = float("inf")
        for _ in range(5):
            parsers = [make() for _ in range(rounds)]
            t0 = time.perf_counter()
            for p in parsers:
                p.feed_data(data)
            best = min(best, (time.perf_counter() - t0) / rounds * 1e6)
        loop.close()
        return best

    def measure_serialize(func, headers, rounds):
        status, reason, version = 200, "OK", (1, 1)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(rounds):
                func(f"HTTP/{version[0]}.{version[1]} {status} {reason}", headers)
            best = min(best, (time.perf_counter() - t0) / rounds * 1e6)
        return best

    headers = CIMultiDict(json.loads(fields))
    out = {}
    for name, cls, ser in (
        ("py", http_parser.HttpRequestParserPy, http_writer._py_serialize_headers),
        ("c", getattr(http_parser, "HttpRequestParserC", None),
         getattr(http_writer, "_c_serialize_headers", None)),
    ):
        if cls is None:
            continue
        out[name] = {
            "wrk": measure(cls, wrk, rounds),
            "head": measure(cls, head, rounds),
            "chunked": measure(cls, chunked, rounds // 10),
        }
        if ser is not None:
            out[name]["serialize5"] = measure_serialize(ser, headers, rounds * 10)
    print(json.dumps(out))
    """
)


def _ensure_aiohttp_venv() -> Path:
    python = AIOHTTP_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {AIOHTTP_VENV} ...", file=sys.stderr)
        venv.create(AIOHTTP_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "aiohttp"], check=True)
    return python


def _import_ours() -> None:
    src = str(ROOT / "packages" / "web-http" / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def measure_ours(data: bytes, rounds: int) -> float:
    _import_ours()
    from web_http import HttpRequestParser

    for _ in range(200):
        HttpRequestParser().feed(data)
    best = float("inf")
    for _ in range(5):
        parsers = [HttpRequestParser() for _ in range(rounds)]
        t0 = time.perf_counter()
        for p in parsers:
            p.feed(data)
        best = min(best, (time.perf_counter() - t0) / rounds * 1e6)
    return best


def measure_ours_serialize(rounds: int) -> float:
    _import_ours()
    from multidict import CIMultiDict
    from web_http import HttpVersion11, serialize_response_head

    headers = CIMultiDict(RESPONSE_FIELDS)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(rounds):
            serialize_response_head(200, "OK", headers, HttpVersion11)
        best = min(best, (time.perf_counter() - t0) / rounds * 1e6)
    return best


def main() -> None:
    rounds = 2000
    ours = {
        "wrk": measure_ours(WRK, rounds),
        "head": measure_ours(HEAD, rounds),
        "chunked": measure_ours(CHUNKED, rounds // 10),
        "serialize5": measure_ours_serialize(rounds * 10),
    }
    python = _ensure_aiohttp_venv()
    proc = subprocess.run(
        [str(python), "-c", AIOHTTP_SCRIPT],
        input=b"\0SPLIT\0".join(
            (WRK, HEAD, CHUNKED, json.dumps(RESPONSE_FIELDS).encode(), str(rounds).encode())
        ),
        capture_output=True,
        check=True,
    )
    theirs = json.loads(proc.stdout)
    print(
        f"wrk head: {len(WRK)} bytes; browser head: {len(HEAD)} bytes; "
        f"chunked request: {len(CHUNKED)} bytes (64 KiB body); serialize5: 5 fields"
    )
    print(
        f"{'case':<12}{'ours us':>10}{'aiohttp-py us':>15}{'aiohttp-c us':>14}"
        f"{'py/ours':>9}{'c/ours':>8}"
    )
    for case, o in ours.items():
        py = theirs.get("py", {}).get(case, float("nan"))
        c = theirs.get("c", {}).get(case, float("nan"))
        print(f"{case:<12}{o:>10.2f}{py:>15.2f}{c:>14.2f}{py / o:>9.2f}{c / o:>8.2f}")


if __name__ == "__main__":
    main()
