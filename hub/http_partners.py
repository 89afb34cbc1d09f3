"""The partner REST API for operators: a pulled channel's booking-pull state."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from hub.http_ota import basic_credentials
from hub.http_pms import SECURED
from hub.loopback import is_local_request
from hub.openapi import problem_responses
from hub.problems import Problem
from routes.partners import load_partners
from routes.pull_state import statuses

router = APIRouter(prefix="/api/v1", tags=["partners"])
PartnerId = Annotated[str, Path(min_length=1, max_length=64)]


async def operator(request: Request) -> str:
    """Only the operator (bearer token, or loopback without one) reads partner state; a partner is 403."""
    token = request.app.state.hub.settings.api_token
    header = request.headers.get("authorization") or ""
    if basic_credentials(header) is not None:
        raise Problem(403, "forbidden", "Operator only", "partner state is for the hub's operator")
    if token is None:
        if is_local_request(request.client.host if request.client else None, request.headers.items()):
            return "operator"
    elif header.lower().startswith("bearer ") and hmac.compare_digest(
        header[7:].strip().encode(), token.get_secret_value().encode()
    ):
        return "operator"
    raise Problem(401, "unauthenticated", "Authentication required", "send the operator bearer token")


Operator = Annotated[str, Depends(operator)]


class PullStatusView(BaseModel):
    """A pulled channel's polling: its schedule, last success and error, and whether its alarm is raised."""

    partner: str
    interval_s: float
    alarm_after_s: float
    watched_since: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    overdue: bool
    overdue_since: datetime | None
    reservations_pulled: int
    paused: str | None  # why the partner is paused (its credentials refused), or null


@router.get(
    "/partners/{partner_id}/pull-status",
    response_model=PullStatusView,
    responses=problem_responses(401, 403, 404),
    openapi_extra=SECURED,
)
async def get_pull_status(request: Request, partner_id: PartnerId, caller: Operator) -> PullStatusView:
    """The booking-pull state of one pulled channel (404 for a partner that is not pulled)."""
    async with request.app.state.hub.reader.connect() as conn:
        found = await statuses(conn, [p for p in await load_partners(conn) if p.id == partner_id])
    if not found:
        raise Problem(404, "unknown-partner", "Not a pulled partner", f"partner {partner_id} is not pulled")
    status = found[0]
    return PullStatusView(
        partner=status.partner_id,
        interval_s=status.interval_s,
        alarm_after_s=status.alarm_after_s,
        watched_since=status.watched_since,
        last_attempt_at=status.last_attempt_at,
        last_success_at=status.last_success_at,
        last_error_at=status.last_error_at,
        last_error=status.last_error,
        overdue=status.overdue,
        overdue_since=status.overdue_since,
        reservations_pulled=status.reservations_pulled,
        paused=status.paused_reason,
    )
