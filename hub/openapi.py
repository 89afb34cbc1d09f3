"""The OpenAPI document and its pages: security schemes, problem answers, /ota, /docs and /redoc offline.

The Swagger UI and ReDoc assets come from the fastapi-offline package and are served by the hub
itself, so the pages work on a network without a way out (no CDN, no web fonts).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from hub.problems import PROBLEM_JSON

DOCS_ASSETS = "/docs-assets"
OPERATOR_BEARER = "operatorBearer"
PARTNER_BASIC = "partnerBasic"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    OPERATOR_BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "The operator's token (`HUB_API_TOKEN`). A hub without a token takes every caller "
        "without credentials as the operator (e.g. the demo on localhost).",
    },
    PARTNER_BASIC: {
        "type": "http",
        "scheme": "basic",
        "description": "A partner's username and password from the configuration: on the REST API it "
        "sees only the properties it is granted and its own bookings. At `/ota` a WS-Security "
        "UsernameToken (PasswordText) in the SOAP header is taken instead, which OpenAPI cannot declare.",
    },
}
# either one: a partner's credentials are checked when sent, else the operator's token
REST_SECURITY: list[dict[str, list[str]]] = [{OPERATOR_BEARER: []}, {PARTNER_BASIC: []}]

_PROBLEM_TITLES = {
    400: "The body cannot be read as JSON",
    401: "No or wrong credentials",
    403: "The partner is not granted this property, or asks for another partner's bookings",
    404: "Unknown property or booking",
    409: "Sold out: a night of the stay has no room left",
    413: "Request body too large",
    422: "The request does not validate, or the booking is refused (`errors` lists each field)",
    429: "Too many failed logins: wait `Retry-After` seconds",
}


class ProblemField(BaseModel):
    """One field of a request that did not validate."""

    field: str = Field(examples=["guests[0].surname"])
    reason: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document, as every REST error is answered."""

    type: str = Field(examples=["urn:hotelhub:problem:sold-out"])
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemField] | None = Field(
        default=None, description="Each field that did not validate (422 only)."
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a REST route: each status answered as a problem document."""
    schema = {"$ref": "#/components/schemas/ProblemDetails"}
    return {
        status: {"description": _PROBLEM_TITLES[status], "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


OTA_MEDIA_TYPES = ("text/xml", "application/xml", "application/soap+xml")
OTA_REQUEST_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="push-0001"
    TimeStamp="2031-01-15T09:00:00+00:00" Version="1.000" ResStatus="Commit">
  <HotelReservations>
    <HotelReservation CreateDateTime="2031-01-15T09:00:00+00:00" ResStatus="Commit">
      <UniqueID Type="14" ID="RES-20310210-001"/>
      <RoomStays>
        <RoomStay>
          <RoomTypes><RoomType RoomTypeCode="DZSTD"/></RoomTypes>
          <RatePlans><RatePlan RatePlanCode="FLEX1"/></RatePlans>
          <RoomRates>
            <RoomRate RoomTypeCode="DZSTD" RatePlanCode="FLEX1" NumberOfUnits="1">
              <Rates>
                <Rate EffectiveDate="2031-02-10" ExpireDate="2031-02-12" RateTimeUnit="Day">
                  <Base AmountAfterTax="180.00" CurrencyCode="EUR"/>
                </Rate>
              </Rates>
            </RoomRate>
          </RoomRates>
          <GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts>
          <TimeSpan Start="2031-02-10" End="2031-02-12"/>
          <Total AmountAfterTax="360.00" CurrencyCode="EUR"/>
        </RoomStay>
      </RoomStays>
      <ResGuests>
        <ResGuest ResGuestRPH="1" PrimaryIndicator="true">
          <Profiles><ProfileInfo><Profile ProfileType="1"><Customer>
            <PersonName><GivenName>Anna</GivenName><Surname>Huber</Surname></PersonName>
            <Email>anna.huber@example.com</Email>
          </Customer></Profile></ProfileInfo></Profiles>
        </ResGuest>
      </ResGuests>
      <ResGlobalInfo>
        <HotelReservationIDs>
          <HotelReservationID ResID_Type="14" ResID_Value="RES-20310210-001" ResID_Source="OTA One"/>
        </HotelReservationIDs>
        <BasicPropertyInfo HotelCode="ALP-4711"/>
      </ResGlobalInfo>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>
"""
_XML_ANSWER = {
    media: {"schema": {"type": "string", "description": "OTA_HotelResNotifRS or OTA_CancelRS"}}
    for media in ("text/xml", "application/soap+xml")
}


def _ota_answer(description: str, **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": _XML_ANSWER}
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return answer


OTA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _ota_answer(
        "The matching RS: `Success` with the hub's confirmation number once the message is stored, or "
        "`Errors` (EWT/ERR codes) for a message refused after reading it. SOAP 1.2 in, SOAP 1.2 out "
        "(`application/soap+xml`); otherwise `text/xml`."
    ),
    401: _ota_answer("No or wrong credentials: OTA `Errors` 4/497.", **{"WWW-Authenticate": "Basic"}),
    413: _ota_answer("Body above `HUB_MAX_BODY_BYTES`, never read in full: OTA `Errors` 7/450."),
    415: _ota_answer("A Content-Type that is not XML: OTA `Errors`, nothing read."),
    429: _ota_answer(
        "Too many failed logins of this username from this address: OTA `Errors` 4/497.",
        **{"Retry-After": "seconds to wait"},
    ),
    503: _ota_answer("The hub cannot store messages right now: OTA `Errors` 12/187; send it again later."),
}
OTA_OPERATION: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An OTA_HotelResNotifRQ or OTA_CancelRQ, plain or in a SOAP 1.1/1.2 envelope.",
        "content": {
            media: {"schema": {"type": "string"}, "example": OTA_REQUEST_EXAMPLE} for media in OTA_MEDIA_TYPES
        },
    },
    "security": [{PARTNER_BASIC: []}],
}


def _document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = document.setdefault("components", {})
        problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas = components.setdefault("schemas", {})
        schemas.update(problem.pop("$defs", {}))
        schemas["ProblemDetails"] = problem
        components["securitySchemes"] = SECURITY_SCHEMES
        _unreadable_json_documented(document)
        app.openapi_schema = document
    return app.openapi_schema


def _unreadable_json_documented(document: dict[str, Any]) -> None:
    # Said once here for every REST operation, not on each route: one that reads a JSON body
    # answers 400 when the body is not JSON at all (before any field can be named, so not 422);
    # and a 422 is a problem document, never FastAPI's default `HTTPValidationError` JSON.
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                responses.setdefault("400", problem_responses(400)[400])
            if "422" in responses and PROBLEM_JSON not in responses["422"].get("content", {}):
                responses["422"] = problem_responses(422)[422]


def install(app: FastAPI) -> None:
    """Give the app its OpenAPI document and the /docs and /redoc pages, with their assets."""
    app.openapi = lambda: _document(app)  # type: ignore[method-assign]
    static = files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(static)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            # Swagger UI would otherwise send the document to an online validator for its badge
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
