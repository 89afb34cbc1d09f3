"""CoalescingTransport (the AMQP wire's and the HTTP server's) on a real loopback socket: one turn's
writes leave as one, in order, none lost; past flush_bytes at once; nothing written once the peer left."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from routes.coalescing import CoalescingTransport


class _Sink(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.data += data

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()


@pytest.fixture
async def wire(request: pytest.FixtureRequest) -> AsyncIterator[tuple[CoalescingTransport, _Sink]]:
    """A CoalescingTransport over a loopback TCP connection, and what the other end received
    (`flush_bytes` from the test's `flush_bytes` mark, else none)."""
    loop = asyncio.get_running_loop()
    sink = _Sink()
    server = await loop.create_server(lambda: sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
    mark = request.node.get_closest_marker("flush_bytes")
    coalescing = CoalescingTransport(transport, loop, flush_bytes=mark.args[0] if mark else None)
    try:
        yield coalescing, sink
    finally:
        transport.close()
        server.close()
        await server.wait_closed()


async def _received(sink: _Sink, size: int) -> bytes:
    async with asyncio.timeout(5):
        while len(sink.data) < size:
            await asyncio.sleep(0.001)
    return bytes(sink.data)


async def test_given_many_frames_in_one_turn_when_written_then_one_socket_write_carries_them_in_order(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire
    frames = [f"frame-{n:03d};".encode() for n in range(100)]

    for frame in frames:
        transport.write(frame)
    assert transport.writes == 0  # nothing left before the turn ends

    assert await _received(sink, sum(map(len, frames))) == b"".join(frames)
    assert transport.writes == 1


async def test_given_writes_in_separate_turns_when_written_then_each_turn_is_sent_without_waiting_for_more(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire

    transport.write(b"first;")
    assert await _received(sink, 6) == b"first;"
    transport.writelines([b"sec", memoryview(b"ond;")])
    assert await _received(sink, 13) == b"first;second;"
    assert transport.writes == 2


async def test_given_frames_queued_when_closed_then_they_are_sent_before_the_connection_closes(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire

    transport.write(b"close-frame")
    transport.close()

    async with asyncio.timeout(5):
        await sink.closed.wait()
    assert bytes(sink.data) == b"close-frame"
    assert transport.is_closing()


async def test_given_frames_queued_when_aborted_then_they_are_dropped(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire

    transport.write(b"never")
    assert transport.get_write_buffer_size() == 5
    transport.abort()

    async with asyncio.timeout(5):
        await sink.closed.wait()
    assert bytes(sink.data) == b""


@pytest.mark.flush_bytes(1024)
async def test_given_a_turn_writing_past_flush_bytes_when_written_then_sent_as_it_grows(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire
    chunks = [bytes([65 + n]) * 400 for n in range(6)]

    for chunk in chunks:
        transport.write(chunk)
    assert transport.writes == 2  # at 1,200 and at 2,400 bytes, within the turn
    # nothing held back here: whatever is still buffered is the socket transport's
    assert transport.get_write_buffer_size() == transport.transport.get_write_buffer_size()

    assert await _received(sink, 2400) == b"".join(chunks)
    assert transport.writes == 2


async def test_given_the_peer_gone_when_the_turn_ends_then_nothing_is_written(
    wire: tuple[CoalescingTransport, _Sink],
) -> None:
    transport, sink = wire
    assert transport.get_extra_info("peername")[0] == "127.0.0.1"

    transport.write(b"late answer")
    transport.transport.close()  # the socket transport closes under it (the peer left)
    await asyncio.sleep(0)

    assert transport.writes == 0
    async with asyncio.timeout(5):
        await sink.closed.wait()
    assert bytes(sink.data) == b""
