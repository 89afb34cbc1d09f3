"""What a simulated channel counts: calls per message, the busiest time window, requests in flight.

The busiest window is exact: the most requests whose arrival times fall in any half-open interval
(t - w, t]. Such a maximum is always reached by a window ending at an arrival, so checking the
window that ends at each arrival finds it. Times come from an injected clock, so tests feed them;
any window length can be asked for afterwards (one second, or the minute real channels count in).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

WINDOW_S = 1.0
ANY = "*"


def busiest(times: list[float], window_s: float = WINDOW_S) -> int:
    """The most of these non-decreasing times that fall in any window (t - window_s, t]."""
    best, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - window_s:
            first += 1
        best = max(best, last - first + 1)
    return best


class CallCounters:
    """Calls per message name; arrival times overall, per hotel, per kind and per both; in flight."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._arrivals: dict[tuple[str, str], list[float]] = {}
        self.in_flight = 0
        self.in_flight_max = 0

    def arrived(self, at: float, *, message: str, hotel: str) -> None:
        """One request for `hotel` carrying `message` arrived at `at` (non-decreasing channel clock)."""
        self.calls[message] += 1
        for key in {(ANY, ANY), (hotel, ANY), (ANY, message), (hotel, message)}:
            self._arrivals.setdefault(key, []).append(at)

    def started(self) -> None:
        """A request is now being handled."""
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)

    def finished(self) -> None:
        """A request has been answered (or given up)."""
        self.in_flight -= 1

    def max_per_second(self, *, hotel: str = ANY, message: str = ANY, window_s: float = WINDOW_S) -> int:
        """The most requests in any window of `window_s` (default one second), for a hotel and/or kind."""
        return busiest(self._arrivals.get((hotel, message), []), window_s)

    def as_dict(self, window_s: float | None = None) -> dict[str, Any]:
        """The counters as plain dicts (GET /_stats), with `max_per_window` too when a window is asked for."""
        out: dict[str, Any] = {
            "calls": dict(self.calls),
            "max_per_second": self._by_hotel(WINDOW_S),
            "in_flight": self.in_flight,
            "in_flight_max": self.in_flight_max,
        }
        if window_s is not None:
            out |= {"window_s": window_s, "max_per_window": self._by_hotel(window_s)}
        return out

    def _by_hotel(self, window_s: float) -> dict[str, dict[str, int]]:
        by_hotel: dict[str, dict[str, int]] = {}
        for (hotel, message), times in sorted(self._arrivals.items()):
            by_hotel.setdefault(hotel, {})[message] = busiest(times, window_s)
        return by_hotel
