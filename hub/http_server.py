"""The HTTP server's protocol: uvicorn's httptools protocol whose answer leaves in one send.

uvicorn writes an answer's status line and headers as soon as the app sends `http.response.start`,
and its body with `http.response.body`: two `send` system calls, two TCP segments and two wake-ups
of the partner's side for one small OTA answer. Over loopback the kernel delivers each segment in
the sender's time, which measured as 13 % of a busy `serve` at a thousand pushes a second. On
`routes.coalescing.CoalescingTransport` the writes of one event-loop turn leave together at the end
of that turn; past `FLUSH_BYTES` in one turn they leave at once, so a long answer streams as before.
"""

from __future__ import annotations

import asyncio
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from routes.coalescing import CoalescingTransport

FLUSH_BYTES = 64 * 1024


class HubHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a CoalescingTransport."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Wrap the connection's transport, then let uvicorn set the connection up."""
        # uvloop's TCPTransport has a transport's methods without subclassing asyncio.Transport
        socket = cast(asyncio.Transport, transport)
        super().connection_made(CoalescingTransport(socket, self.loop, flush_bytes=FLUSH_BYTES))
