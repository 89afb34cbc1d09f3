"""A socket transport whose writes of one event-loop turn leave in one `send`.

Protocols write as they go: aiormq a frame at a time (a publish, an ack), uvicorn an answer's
status line and headers, then its body. Each write is a `send` system call, and on loopback that
call runs the peer's receive path too. This wrapper gathers what one loop turn writes and hands it
to the socket transport at the end of that turn: a batch of acks or publishes is one `send`, an OTA
answer one TCP segment. Nothing waits longer than that one turn. With `flush_bytes`, a turn that
writes more than that sends as it goes, so a long streamed answer is not held in memory and the
socket's flow control sees it as before.

Used by the broker connection (`routes/rabbit/wire.py`) and the HTTP server (`hub/http_server.py`).
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescingTransport(asyncio.Transport):
    """Buffers the writes of one event-loop turn and hands them to the socket transport at its end;
    everything else (reading, closing, extra info) is the socket transport's."""

    def __init__(
        self,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        *,
        flush_bytes: int | None = None,
    ) -> None:
        super().__init__()
        self.transport = transport
        self._loop = loop
        self._flush_bytes = flush_bytes
        self._pending: list[bytes] = []
        self._size = 0
        self._scheduled = False
        self.writes = 0  # socket writes made: what the tests check, and cheap to keep

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue `data`; it leaves with the rest of this turn's writes (at once past `flush_bytes`)."""
        if not data:
            return
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._flush_bytes is not None and self._size >= self._flush_bytes:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush_scheduled)

    def writelines(self, list_of_data: Any) -> None:
        """Queue each chunk."""
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Hand what is queued to the socket transport now, in one write."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        self._size = 0
        if not self.transport.is_closing():
            self.writes += 1
            self.transport.write(data)

    def _flush_scheduled(self) -> None:
        self._scheduled = False
        self.flush()

    def close(self) -> None:
        """Send what is queued, then close (as a transport's close sends its buffer first)."""
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        """Drop what is queued and the connection, as the socket transport drops its buffer."""
        self._pending = []
        self._size = 0
        self.transport.abort()

    def is_closing(self) -> bool:
        """As the socket transport."""
        return self.transport.is_closing()

    def can_write_eof(self) -> bool:
        """As the socket transport."""
        return self.transport.can_write_eof()

    def write_eof(self) -> None:
        """Send what is queued, then the end of stream."""
        self.flush()
        self.transport.write_eof()

    def get_write_buffer_size(self) -> int:
        """Queued here plus buffered in the socket transport."""
        return self._size + self.transport.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """As the socket transport."""
        return self.transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """As the socket transport."""
        self.transport.set_write_buffer_limits(high, low)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """As the socket transport (peername, socket, sslcontext...)."""
        return self.transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        """As the socket transport."""
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        """As the socket transport."""
        self.transport.resume_reading()

    def is_reading(self) -> bool:
        """As the socket transport."""
        return self.transport.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """As the socket transport (a protocol upgrade hands the connection on)."""
        self.transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        """As the socket transport."""
        return self.transport.get_protocol()
