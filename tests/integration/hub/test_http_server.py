"""HubHttpProtocol on a real uvicorn server and real sockets: each answer leaves in one write,
keep-alive, streamed and closing answers arrive whole."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from hub.http_server import HubHttpProtocol

BIG = 1024 * 1024


class WriteSpy:
    """The connection's real transport, counting what is written to it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def write(self, data: bytes) -> None:
        WRITES.append(bytes(data))
        self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


WRITES: list[bytes] = []


class SpiedProtocol(HubHttpProtocol):
    """HubHttpProtocol, with the writes that reach the real transport recorded."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(WriteSpy(transport))  # type: ignore[arg-type]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """/small answers a few bytes; /stream answers 1 MiB in 64 chunks of 16 KiB."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    if scope["path"] == "/stream":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(BIG).encode())],
            }
        )
        chunk = b"x" * (BIG // 64)
        for _ in range(63):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": chunk})
        return
    body = b"<Success/>"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, int]]:
    """The app on uvicorn with the hub's protocol, on a free local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=SpiedProtocol, log_config=None, lifespan="off", access_log=False)
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve(sockets=[sock]))
    while not running.started:
        await asyncio.sleep(0.01)
    WRITES.clear()
    try:
        yield sock.getsockname()
    finally:
        running.should_exit = True
        await task


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, close: bool = False
) -> bytes:
    connection = b"connection: close\r\n" if close else b""
    writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nhost: hub\r\n" + connection + b"\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    return await reader.readexactly(length)


async def test_given_small_answers_on_one_connection_when_sent_then_each_in_one_write(
    server: tuple[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(*server)
    try:
        for _ in range(5):
            assert await _request(reader, writer, "/small") == b"<Success/>"
    finally:
        writer.close()
    assert len(WRITES) == 5
    assert all(write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b"<Success/>") for write in WRITES)


async def test_given_a_streamed_answer_larger_than_the_flush_size_when_sent_then_it_arrives_whole(
    server: tuple[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(*server)
    try:
        body = await _request(reader, writer, "/stream")
        assert await _request(reader, writer, "/small") == b"<Success/>"
    finally:
        writer.close()
    assert body == b"x" * BIG
    # sent as it grows, not held until the whole mebibyte was queued
    assert len(WRITES) > 8
    assert max(len(write) for write in WRITES) < BIG // 2


async def test_given_a_closing_request_when_answered_then_the_answer_arrives_before_the_close(
    server: tuple[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(*server)
    try:
        assert await _request(reader, writer, "/small", close=True) == b"<Success/>"
        assert await reader.read() == b""  # then the server closed the connection
    finally:
        writer.close()
