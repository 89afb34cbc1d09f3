"""GET /api/v1/erp/daily-revenue: a property's closed business days for the finance ERP, JSON or CSV.

The body of a closed day never changes, so its strong ETag (a SHA-256 of the exact bytes) lets
an ERP poll cheaply: `If-None-Match` with that tag answers 304 and no body.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from canonical.revenue import DayClosed
from connectors.erp.codec import encode_csv, encode_json
from connectors.erp.errors import DayNotEncodable
from connectors.erp.settings import (
    CSV_CONTENT_TYPE,
    CSV_MEDIA_TYPE,
    JSON_CONTENT_TYPE,
    JSON_MEDIA_TYPE,
    MAX_RANGE_DAYS,
)
from hub.http_ota import basic_credentials
from hub.http_pms import authorize
from hub.openapi import REST_SECURITY
from hub.problems import PROBLEM_JSON, Problem
from pms_core.errors import UnknownProperty
from routes.erp import (
    DayRange,
    InvalidRange,
    NotAnErpPartner,
    OpenDays,
    PropertyNotGranted,
    check_grant,
    day_range,
    read_closed_days,
)

router = APIRouter(prefix="/api/v1/erp", tags=["erp"])
OFFERED = (JSON_MEDIA_TYPE, CSV_MEDIA_TYPE)  # in the hub's order of preference
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")  # a file name a header carries as it is
_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')
# Closed days do not change, but the answer depends on who asks: caches keep it private and ask again.
_CACHING = {"Vary": "Accept, Authorization", "Cache-Control": "private, no-cache"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """The offered media type the `Accept` header prefers (JSON when it names none); None: neither.

    Each offered type takes the quality of the most specific range that matches it (`text/csv`
    over `text/*` over `*/*`); the highest quality wins, JSON on a tie; a quality of 0 refuses.
    """
    if accept is None or not accept.strip():
        return JSON_MEDIA_TYPE
    ranges = _media_ranges(accept)
    best: tuple[float, str] | None = None
    for offered in OFFERED:
        kind = offered.split("/")[0]
        matches = [
            (specificity, quality)
            for media, quality in ranges
            for specificity, pattern in ((2, offered), (1, f"{kind}/*"), (0, "*/*"))
            if media == pattern
        ]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, offered)
    return None if best is None else best[1]


def entity_tag(body: bytes) -> str:
    """The strong ETag of a response body: its SHA-256, quoted."""
    return f'"{hashlib.sha256(body).hexdigest()}"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when `If-None-Match` names this tag (weakly compared, RFC 9110 §13.1.2) or is `*`."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in _ENTITY_TAG.findall(if_none_match)


async def _caller(request: Request, property_code: str) -> str:
    """An ERP partner granted the property, or the operator (as the rest of the PMS API decides)."""
    credentials = basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        return await authorize(request, property_code)
    partner = await request.app.state.hub.directory.authenticate(*credentials)
    if partner is None:
        raise Problem(401, "unauthenticated", "Wrong credentials", "unknown partner or wrong password")
    try:
        check_grant(partner, property_code)
    except NotAnErpPartner as err:
        raise Problem(403, "forbidden", "Not an ERP partner", str(err)) from err
    except PropertyNotGranted as err:
        raise Problem(403, "forbidden", "Property not granted", str(err)) from err
    return f"partner:{partner.id}"


def _range(day: date | None, first: date | None, last: date | None) -> DayRange:
    try:
        return day_range(day, first, last)
    except InvalidRange as err:
        raise Problem(422, "invalid-range", "Invalid range", str(err)) from err


def _body(media: str, property_code: str, days: DayRange, found: list[DayClosed]) -> bytes:
    try:
        if media == CSV_MEDIA_TYPE:
            return encode_csv(property_code, found)
        return encode_json(property_code, days.first, days.last, found)
    except DayNotEncodable as err:
        raise Problem(500, "day-not-encodable", "Closed day cannot be written", str(err)) from err


@router.get(
    "/daily-revenue",
    response_class=Response,
    responses={
        200: {
            "description": "The closed days (docs/erp.md); `ETag` is the body's SHA-256",
            "content": {
                JSON_MEDIA_TYPE: {"schema": {"type": "object"}},
                CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            },
        },
        304: {"description": "`If-None-Match` names the current ETag: nothing changed"},
        401: _problem("No or wrong credentials"),
        403: _problem("Not an ERP partner, or the property is not granted to it"),
        404: _problem("Unknown property"),
        406: _problem("`Accept` takes neither application/json nor text/csv"),
        409: _problem("A day of the range is not closed yet (`open_days` lists them)"),
        422: _problem(
            f"Neither `date` nor `from`/`to`, both, `to` before `from`, or over {MAX_RANGE_DAYS} days"
        ),
    },
    openapi_extra={"security": REST_SECURITY},
)
async def daily_revenue(
    request: Request,
    property_code: Annotated[str, Query(alias="property", min_length=1, max_length=64)],
    day: Annotated[date | None, Query(alias="date")] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """A property's closed days, `date` or `from`..`to` (both included), as JSON or CSV by `Accept`:
    revenue by department and GL account, taxes, payments, ledger movements, room statistics."""
    await _caller(request, property_code)
    media = negotiate(request.headers.get("accept"))
    if media is None:
        served = " or ".join(OFFERED)
        detail = f"this resource is served as {served}"
        raise Problem(406, "not-acceptable", "Not acceptable", detail, available=list(OFFERED))
    days = _range(day, first, last)
    async with request.app.state.hub.reader.connect() as conn:
        try:
            found = await read_closed_days(conn, property_code, days)
        except UnknownProperty as err:
            raise Problem(404, "unknown-property", "Unknown property", str(err)) from err
        except OpenDays as err:
            raise Problem(
                409, "day-open", "Day not closed", str(err), open_days=[d.isoformat() for d in err.days]
            ) from err
    body = _body(media, property_code, days, found)
    etag = entity_tag(body)
    headers = {"ETag": etag, **_CACHING}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if media == CSV_MEDIA_TYPE:
        dates = days.first.isoformat() + ("" if days.first == days.last else f"-{days.last.isoformat()}")
        name = _UNSAFE_IN_NAME.sub("_", f"{property_code}-{dates}")
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(body, media_type=CSV_CONTENT_TYPE, headers=headers)
    return Response(body, media_type=JSON_CONTENT_TYPE, headers=headers)
