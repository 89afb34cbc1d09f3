"""The night audit's settings in the configuration: a property's `audit_time` (local, HH:MM, quoted
in YAML) and a rate plan's `no_show_fee` (its first nights, or an amount, under a charge code).

Applied by `config apply` in the same transaction as the property.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from canonical.base import utcnow
from canonical.night_audit import AuditSettings, NoShowFee
from mappings.source import CodeText

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from hub.config import PropertyConfig

AuditTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, local")]
DEFAULT_AUDIT_TIME = "03:00"


class NoShowFeeConfig(BaseModel):
    """What a rate plan charges a no-show: `nights` (its first, at the booking's prices) or `amount`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nights: Annotated[int, Field(ge=1, le=31)] | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)] | None = None
    transaction_code: CodeText = "ROOM"

    @model_validator(mode="after")
    def _nights_or_amount(self) -> NoShowFeeConfig:
        if (self.nights is None) == (self.amount is None):
            raise ValueError("give either nights or amount")
        return self

    def to_fee(self) -> NoShowFee:
        """The canonical no-show fee."""
        return NoShowFee(**self.model_dump())


def audit_settings(prop: PropertyConfig) -> AuditSettings:
    """The property's audit settings as the core stores them."""
    return AuditSettings(
        property_code=prop.code,
        audit_time=time.fromisoformat(prop.audit_time),
        no_show_fees={plan.code: plan.no_show_fee.to_fee() for plan in prop.rate_plans if plan.no_show_fee},
    )


async def apply_audit_config(conn: AsyncConnection, properties: Sequence[PropertyConfig]) -> list[str]:
    """Store every property's audit settings; one line per property whose settings changed."""
    from pms_core.audit_settings import apply_audit_settings

    lines = []
    for prop in properties:
        if await apply_audit_settings(conn, audit_settings(prop), utcnow()):
            lines.append(f"property {prop.code}: night audit settings updated")
    return lines
