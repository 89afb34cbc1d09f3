"""The night audit over REST: close a property's business date; read a closed day.

Operator only. Refusals are problem documents: 404 for an unknown property or a day never closed,
409 for a date that is not the business date or folios and ledgers that do not balance (each
mismatch listed), 422 for a charge the audit cannot post (no ROOM code, a night without price).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from canonical.errors import PermanentError
from canonical.revenue import DayClosed
from hub.audit_close import close_day
from hub.http_desk import operator_only
from hub.http_pms import SECURED, Caller, PropertyCode
from hub.openapi import problem_responses
from hub.problems import Problem
from pms_core.day_closes import closed_day
from pms_core.errors import UnknownProperty
from pms_core.night_audit import DayNotOpen, LedgersDisagree

router = APIRouter(prefix="/api/v1", tags=["night audit"])


class CloseBody(BaseModel):
    """The business date to close (null: the property's current one)."""

    model_config = ConfigDict(extra="forbid")

    business_date: date | None = None


class CloseAnswer(BaseModel):
    """The closed day, whether this request closed it (false: it was closed before), what it posted."""

    closed_now: bool
    charges_posted: int
    no_show_fees: int
    day: DayClosed


def _problem(err: PermanentError) -> Problem:
    if isinstance(err, UnknownProperty):
        return Problem(404, "unknown-property", "Unknown property", str(err))
    if isinstance(err, DayNotOpen):
        return Problem(409, "day-not-open", "Not the business date", str(err), business_date=str(err.current))
    if isinstance(err, LedgersDisagree):
        return Problem(
            409, "ledgers-disagree", "Folios or ledgers do not balance", str(err), problems=err.problems
        )
    return Problem(422, "audit-refused", "Day not closed", str(err))


@router.post(
    "/properties/{code}/audit/close",
    response_model=CloseAnswer,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    openapi_extra=SECURED,
)
async def post_close(
    request: Request, code: PropertyCode, caller: Caller, body: CloseBody | None = None
) -> CloseAnswer:
    """Close the business date (room and tax charges, no-shows, ledgers checked, day frozen); the
    same answer, with nothing changed, for a day closed before."""
    operator_only(caller)
    hub = request.app.state.hub
    asked = None if body is None else body.business_date
    try:
        outcome, written = await close_day(
            hub.engine, hub.table, code, asked, correlation_id=request.headers.get("x-correlation-id")
        )
    except PermanentError as err:
        raise _problem(err) from err
    if written:
        hub.notify()
    return CloseAnswer(
        closed_now=outcome.closed_now,
        charges_posted=outcome.charges_posted,
        no_show_fees=outcome.no_show_fees,
        day=outcome.day,
    )


@router.get(
    "/properties/{code}/audit/days/{business_date}",
    response_model=DayClosed,
    responses=problem_responses(400, 401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_day(request: Request, code: PropertyCode, business_date: date, caller: Caller) -> DayClosed:
    """One closed business day as the audit froze it (404 while it is open)."""
    operator_only(caller)
    async with request.app.state.hub.reader.connect() as conn:
        try:
            found = await closed_day(conn, code, business_date)
        except PermanentError as err:
            raise _problem(err) from err
    if found is None:
        raise Problem(404, "day-not-closed", "Day not closed", f"{code} {business_date} is not closed")
    return found
