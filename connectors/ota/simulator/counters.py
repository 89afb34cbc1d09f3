"""What a simulated channel counts: calls per message, the busiest one-second window, requests in flight.

The busiest window is exact: the most requests whose arrival times fall in any half-open interval
(t - 1 s, t]. Such a maximum is always reached by a window ending at an arrival, so checking the
window that ends at each arrival finds it. Times come from an injected clock, so tests feed them.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

WINDOW_S = 1.0
ANY = "*"


class SlidingMax:
    """The most events seen in any one-second window, for one key."""

    def __init__(self) -> None:
        self._times: deque[float] = deque()
        self.maximum = 0

    def add(self, at: float) -> None:
        """Count one event at `at` (seconds, non-decreasing)."""
        self._times.append(at)
        while self._times and self._times[0] <= at - WINDOW_S:
            self._times.popleft()
        self.maximum = max(self.maximum, len(self._times))


class CallCounters:
    """Calls per message name; busiest one-second windows overall, per hotel, per kind and per both."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._windows: dict[tuple[str, str], SlidingMax] = {}
        self.in_flight = 0
        self.in_flight_max = 0

    def arrived(self, at: float, *, message: str, hotel: str) -> None:
        """One request arrived at `at` for `hotel`, carrying `message`."""
        self.calls[message] += 1
        for key in {(ANY, ANY), (hotel, ANY), (ANY, message), (hotel, message)}:
            self._windows.setdefault(key, SlidingMax()).add(at)

    def started(self) -> None:
        """A request is now being handled."""
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)

    def finished(self) -> None:
        """A request has been answered (or given up)."""
        self.in_flight -= 1

    def max_per_second(self, *, hotel: str = ANY, message: str = ANY) -> int:
        """The most requests seen in any one-second window, for a hotel and/or message kind."""
        window = self._windows.get((hotel, message))
        return 0 if window is None else window.maximum

    def as_dict(self) -> dict[str, Any]:
        """The counters as plain dicts (what GET /_stats answers)."""
        by_hotel: dict[str, dict[str, int]] = {}
        for (hotel, message), window in sorted(self._windows.items()):
            by_hotel.setdefault(hotel, {})[message] = window.maximum
        return {
            "calls": dict(self.calls),
            "max_per_second": by_hotel,
            "in_flight": self.in_flight,
            "in_flight_max": self.in_flight_max,
        }
