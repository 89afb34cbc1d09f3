"""A listener on 127.0.0.1 that hostile documents point at: any connection to it means the hub fetched
something a partner named (an external DTD or entity, an XInclude, a schemaLocation)."""

from __future__ import annotations

import select
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Tripwire:
    """A TCP listener on a free loopback port that records every connection (and its first bytes)."""

    _sock: socket.socket = field(default_factory=socket.socket)
    contacts: list[bytes] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Tripwire:
        """Listen and accept in a thread; each connection is answered by closing it."""
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self._thread = threading.Thread(target=self._accept, name="tripwire", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        """The port the listener is on."""
        return int(self._sock.getsockname()[1])

    def url(self, path: str) -> str:
        """An http:// URL on the listener."""
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.5)
                try:
                    first = conn.recv(200)
                except OSError:
                    first = b""
                self.contacts.append(first or b"(connected, sent nothing)")

    def assert_untouched(self) -> None:
        """Fail when anything has connected so far (accepted, or still waiting to be)."""
        waiting, _, _ = select.select([self._sock], [], [], 0)
        assert not self.contacts and not waiting, (
            f"the hub contacted a URL named in a partner's document: {self.contacts or 'a connection waits'}"
        )

    def stop(self) -> None:
        """Stop listening (what connected stays in `contacts`)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._sock.close()
