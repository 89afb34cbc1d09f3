"""Fakes at the partner's HTTP boundary for the outbound seam's contract tests: recorded answers,
a clock the test moves, and an event loop whose time only moves when every task waits on a timer."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

FIXTURES = Path(__file__).parent / "fixtures"
_T = TypeVar("_T")

CONTENT_TYPES = {".xml": "application/xml", ".json": "application/json", ".html": "text/html"}


def recorded(name: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """The recorded answer `fixtures/<name>.*`, with its status taken from the name."""
    (path,) = FIXTURES.glob(f"{name}.*")
    return httpx.Response(
        int(name.split("-")[0]),
        content=path.read_bytes(),
        headers={"Content-Type": CONTENT_TYPES[path.suffix], **(headers or {})},
    )


@dataclass
class Channel:
    """What a partner kind and id look like to the seam."""

    id: str = "otaone"
    kind: str = "ota"
    outbound_url: str | None = "https://channel.example/ari"


class Answers:
    """A MockTransport handler: answers in turn (the last repeats), counting the requests that reached it."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        """This handler as an httpx transport."""
        return httpx.MockTransport(self)


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


WALL_NOW = datetime(2026, 12, 4, 2, 45, tzinfo=UTC)


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Never sleeps: a wait for the next timer moves the clock to it instead."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready:
            return ready
        if timeout is None:
            raise RuntimeError("every task waits and no timer is due: the test would hang")
        # A timer due "now" by float rounding (aiolimiter waits 1e-17 s at times) still moves time
        # on, as a real clock would, rather than spinning at one instant.
        self.now += timeout or 1e-6
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time: `loop.time()` (which aiolimiter reads) is the injected clock."""

    def __init__(self) -> None:
        self._virtual = _VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


def run_on_virtual_time(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to its end on a fresh virtual-time loop."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
