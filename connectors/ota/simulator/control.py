"""Controlling a simulated channel that runs in another process, through its control API."""

from __future__ import annotations

from typing import Any

import httpx


class ChannelControl:
    """The control API of a simulated channel at `base_url` (`/_control`, `/_state`, `/_stats`…)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10, transport=transport)

    async def behave(self, **changes: Any) -> dict[str, Any]:
        """Change how the channel answers; returns its behaviour now."""
        return await self._json("POST", "/_control", json=changes)

    async def state(self) -> dict[str, Any]:
        """What the channel shows (push) or holds (pull), as JSON."""
        return await self._json("GET", "/_state")

    async def stats(self, window_s: float | None = None) -> dict[str, Any]:
        """Calls per message, busiest one-second windows (and `window_s` ones), requests in flight."""
        params = {} if window_s is None else {"window": str(window_s)}
        return await self._json("GET", "/_stats", params=params)

    async def calls(self) -> list[dict[str, Any]]:
        """Every request received, in arrival order."""
        answer = await self._http.get("/_calls")
        answer.raise_for_status()
        calls: list[dict[str, Any]] = answer.json()
        return calls

    async def add_reservations(self, xml: bytes) -> list[str]:
        """Pull channel: hold the HotelReservation elements of `xml`; returns their ids."""
        answer = await self._http.post("/_reservations", content=xml, headers={"content-type": "text/xml"})
        answer.raise_for_status()
        ids: list[str] = answer.json()["added"]
        return ids

    async def reset(self) -> None:
        """Back to a healthy channel holding and having counted nothing."""
        (await self._http.post("/_reset")).raise_for_status()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = await self._http.request(method, path, **kwargs)
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body
