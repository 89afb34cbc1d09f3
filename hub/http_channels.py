"""The channel REST API for operators: resync a channel's ARI, read its distribution state."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from canonical.base import utcnow
from hub.http_partners import Operator, PartnerId
from hub.http_pms import SECURED
from hub.openapi import problem_responses
from hub.problems import Problem
from routes.ari_channels import is_ari_channel
from routes.ari_resync import ResyncRefused, mark_resync, resync_range
from routes.ari_state import status
from routes.partners import load_partners

router = APIRouter(prefix="/api/v1", tags=["channels"])


class ResyncBody(BaseModel):
    """The nights to send again: `from` (default today, UTC) to `to` (default 365 nights on)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date | None = Field(default=None, alias="from")
    last: date | None = Field(default=None, alias="to")


class ResyncView(BaseModel):
    """What a resync marked pending: the channel, its nights, how many cells, and (only when so)
    that its rooms left go as one complete set."""

    partner: str
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    cells: int
    complete_set: bool | None = None  # true: an AlpineBits CompleteSet replaces what the channel holds


class AriStatusView(BaseModel):
    """A channel's ARI distribution: what waits, what was last sent and answered, breaker, pause."""

    partner: str
    pending_cells: int
    urgent_cells: int
    oldest_pending_change: datetime | None
    last_sent_at: datetime | None
    last_answer: str | None  # success, warnings, partial, failed, auth_failed, transient
    last_answer_text: str | None
    last_answer_at: datetime | None
    messages_sent: int
    cells_sent: int
    breaker: str | None  # closed, half_open, open; null when this process has not sent to it
    paused: str | None  # why the channel is paused (its credentials refused), or null


@router.post(
    "/partners/{partner_id}/ari-resync",
    response_model=ResyncView,
    response_model_by_alias=True,
    response_model_exclude_none=True,
    status_code=202,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def post_ari_resync(
    request: Request, partner_id: PartnerId, caller: Operator, body: ResyncBody | None = None
) -> ResyncView:
    """Mark every cell the channel receives over the range pending; the sender sends them (202)."""
    hub = request.app.state.hub
    wanted = body or ResyncBody()
    try:
        first, last = resync_range(wanted.first, wanted.last, utcnow().date())
    except ResyncRefused as err:
        raise Problem(422, "resync-refused", "Resync refused", str(err)) from None
    async with hub.engine.begin() as conn:
        if not any(p.id == partner_id for p in await load_partners(conn)):
            raise Problem(404, "unknown-partner", "Unknown partner", f"no partner {partner_id}")
        try:
            done = await mark_resync(conn, partner_id, first, last)
        except ResyncRefused as err:
            raise Problem(422, "resync-refused", "Resync refused", str(err)) from None
    if hub.ari is not None:
        hub.ari.nudge([partner_id])
    return ResyncView(
        partner=done.partner_id,
        first=done.first,
        last=done.last,
        cells=done.cells,
        complete_set=True if done.complete_set else None,
    )


@router.get(
    "/partners/{partner_id}/ari-status",
    response_model=AriStatusView,
    responses=problem_responses(401, 403, 404),
    openapi_extra=SECURED,
)
async def get_ari_status(request: Request, partner_id: PartnerId, caller: Operator) -> AriStatusView:
    """The ARI distribution state of one channel (404 for a partner that receives no ARI)."""
    hub = request.app.state.hub
    async with hub.reader.connect() as conn:
        record = next((p for p in await load_partners(conn) if p.id == partner_id), None)
        if record is None or not is_ari_channel(record):
            raise Problem(
                404, "unknown-channel", "Not an ARI channel", f"partner {partner_id} receives no ARI"
            )
        found = await status(conn, partner_id, record.paused_reason if record.paused_at else None)
    return AriStatusView(
        partner=found.partner_id,
        pending_cells=found.pending_cells,
        urgent_cells=found.urgent_cells,
        oldest_pending_change=found.oldest_pending,
        last_sent_at=found.state.last_sent_at,
        last_answer=found.state.last_answer,
        last_answer_text=found.state.last_answer_text,
        last_answer_at=found.state.last_answer_at,
        messages_sent=found.state.messages_sent,
        cells_sent=found.state.cells_sent,
        breaker=hub.ari.breakers.get(partner_id) if hub.ari is not None else None,
        paused=found.paused,
    )
