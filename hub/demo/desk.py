"""The demo's front desk: its calls to the hub's REST API, the ERP's login, and the card gateway."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from hub.demo.gateway import DemoGateway


class SceneStopped(Exception):
    """A step the rest of the stay depends on did not go as it should (the reason is a problem)."""


@dataclass
class Desk:
    """The front desk's calls to the hub, the ERP's login, and the gateway."""

    client: httpx.AsyncClient
    base: str
    code: str
    gateway: DemoGateway
    erp_login: tuple[str, str] | None

    async def call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """One call to the hub's API (`path` after /api/v1); a refusal stops the scene, saying why."""
        response = await self.client.request(method, f"{self.base}/api/v1{path}", **kwargs)
        if response.status_code >= 300:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = response.text[:200]
            raise SceneStopped(f"stay: {what}: HTTP {response.status_code} {detail}")
        return response.json()

    def prop(self, path: str) -> str:
        """A path under the desk's property."""
        return f"/properties/{self.code}{path}"

    async def holds(self) -> dict[str, dict[str, Any]]:
        """The gateway's holds by id, as its ledger shows them."""
        found: dict[str, dict[str, Any]] = (await self.gateway.state(self.client))["holds"]
        return found
