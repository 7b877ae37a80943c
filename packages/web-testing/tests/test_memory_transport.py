"""The in-memory transport pair keeps asyncio's transport contract."""

from __future__ import annotations

import asyncio
import threading

from web_testing._memory import HIGH_WATER, connect_in_memory


class Recorder(asyncio.Protocol):
    def __init__(self, keep_open_on_eof: bool = False) -> None:
        self.data = bytearray()
        self.events: list[str] = []
        self.lost: list[BaseException | None] = []
        self._keep = keep_open_on_eof

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.events.append("made")

    def data_received(self, data: bytes) -> None:
        self.data += data

    def eof_received(self) -> bool:
        self.events.append("eof")
        return self._keep

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.append(exc)

    def pause_writing(self) -> None:
        self.events.append("pause")

    def resume_writing(self) -> None:
        self.events.append("resume")


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_bytes_both_ways_and_addresses() -> None:
    client, server = Recorder(), Recorder()
    c, s = connect_in_memory(client, server)
    assert client.events == server.events == ["made"]
    assert s.get_extra_info("peername") == c.get_extra_info("sockname")
    assert c.get_extra_info("socket") is None
    c.write(b"ping")
    s.write(b"pong")
    await _settle()
    assert (bytes(server.data), bytes(client.data)) == (b"ping", b"pong")


async def test_flow_control_pauses_and_resumes_the_writer() -> None:
    client, server = Recorder(), Recorder()
    c, s = connect_in_memory(client, server)
    s.pause_reading()
    c.write(b"x" * (HIGH_WATER + 1))
    assert client.events[-1] == "pause"
    assert c.get_write_buffer_size() == HIGH_WATER + 1
    await _settle()
    assert server.data == b""  # a paused reader gets nothing
    s.resume_reading()
    await _settle()
    assert len(server.data) == HIGH_WATER + 1
    assert client.events[-1] == "resume"


async def test_close_delivers_then_ends_both_sides() -> None:
    client, server = Recorder(), Recorder()
    c, _ = connect_in_memory(client, server)
    c.write(b"last words")
    c.close()
    assert c.is_closing()
    c.write(b"dropped")
    await _settle()
    assert server.data == b"last words"
    assert server.events[-1] == "eof"
    assert client.lost == [None] and server.lost == [None]


async def test_half_close_keeps_the_other_direction() -> None:
    client, server = Recorder(), Recorder(keep_open_on_eof=True)
    c, s = connect_in_memory(client, server)
    c.write_eof()
    await _settle()
    assert server.events[-1] == "eof" and server.lost == []
    s.write(b"still here")
    await _settle()
    assert client.data == b"still here"


async def test_abort_resets_the_peer() -> None:
    client, server = Recorder(), Recorder()
    c, s = connect_in_memory(client, server)
    s.pause_reading()
    c.write(b"never delivered")
    c.abort()
    await _settle()
    assert server.data == b""
    assert client.lost == [None]
    assert len(server.lost) == 1 and isinstance(server.lost[0], ConnectionResetError)


class Relay(Recorder):
    """Writes what it receives on to another connection, from inside its callback."""

    def __init__(self) -> None:
        super().__init__()
        self.onward: asyncio.Transport | None = None
        self.inside = False

    def data_received(self, data: bytes) -> None:
        self.inside = True
        super().data_received(data)
        assert self.onward is not None
        self.onward.write(data)
        self.inside = False


class Checker(Recorder):
    def __init__(self, relay: Relay) -> None:
        super().__init__()
        self.relay = relay
        self.nested: list[bool] = []

    def data_received(self, data: bytes) -> None:
        self.nested.append(self.relay.inside)
        super().data_received(data)


async def test_a_write_from_a_callback_waits_for_the_next_iteration_on_any_connection() -> None:
    relay = Relay()
    checker = Checker(relay)
    first, _ = connect_in_memory(Recorder(), relay)
    _, relay.onward = connect_in_memory(checker, Recorder())
    first.write(b"hop")  # from a coroutine: the relay gets it at once
    assert bytes(relay.data) == b"hop"
    assert checker.data == b""  # the relay wrote from its callback: not delivered inside it
    await _settle()
    assert bytes(checker.data) == b"hop"
    assert checker.nested == [False]


def test_a_callback_on_another_threads_loop_does_not_defer_this_loops_writes() -> None:
    inside = threading.Event()
    release = threading.Event()

    class Blocking(Recorder):
        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            inside.set()
            release.wait(10)

    async def blocked() -> None:
        client_end, _ = connect_in_memory(Recorder(), Blocking())
        client_end.write(b"x")

    other = threading.Thread(target=asyncio.run, args=(blocked(),))
    other.start()
    try:
        assert inside.wait(10)

        async def here() -> bytes:
            server = Recorder()
            client_end, _ = connect_in_memory(Recorder(), server)
            client_end.write(b"now")
            return bytes(server.data)  # delivered within the write, not deferred

        assert asyncio.run(here()) == b"now"
    finally:
        release.set()
        other.join(10)
