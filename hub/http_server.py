"""The HTTP server's protocol: uvicorn's httptools protocol whose answer leaves in one send.

uvicorn writes an answer's status line and headers as soon as the app sends `http.response.start`,
and its body with `http.response.body`: two `send` system calls, two TCP segments and two wake-ups
of the partner's side for one small OTA answer. Over loopback the kernel delivers each segment in
the sender's time, which measured as 13 % of a busy `serve` at a thousand pushes a second. Here the
writes of one event-loop turn are joined and leave together at the end of that turn; large writes
(past `_FLUSH_BYTES`) leave at once, so the transport's flow control works as before.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_FLUSH_BYTES = 64 * 1024


class CoalescingTransport:
    """A transport wrapper that joins the writes of one loop turn into one write of the real one."""

    __slots__ = ("_inner", "_loop", "_pending", "_scheduled", "_size")

    def __init__(self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._inner = inner
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue `data`; it is sent with the rest of this turn's writes (at once when large)."""
        if not data:
            return
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= _FLUSH_BYTES:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush_scheduled)

    def writelines(self, lines: Any) -> None:
        """Queue each of `lines` (as write does)."""
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is queued now, in one write."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._inner.is_closing():
            self._inner.write(data)

    def _flush_scheduled(self) -> None:
        self._scheduled = False
        self.flush()

    def get_write_buffer_size(self) -> int:
        """Bytes not yet handed to the socket: queued here and buffered by the real transport."""
        return self._size + self._inner.get_write_buffer_size()

    def write_eof(self) -> None:
        """Send what is queued, then close the write side."""
        self.flush()
        self._inner.write_eof()

    def close(self) -> None:
        """Send what is queued, then close (as a transport's close sends its buffer first)."""
        self.flush()
        self._inner.close()

    def abort(self) -> None:
        """Close at once; what is queued is dropped, as the real transport drops its buffer."""
        self._pending.clear()
        self._size = 0
        self._inner.abort()

    def __getattr__(self, name: str) -> Any:
        # everything else (extra info, reading, protocol, closing state) is the real transport's
        return getattr(self._inner, name)


class HubHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a CoalescingTransport."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Wrap the connection's transport, then let uvicorn set the connection up."""
        # uvloop's TCPTransport has a transport's methods without subclassing asyncio.Transport
        coalescing: Any = CoalescingTransport(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(coalescing)
