"""REST 422 problems name each field and its reason: no pydantic codes, URLs or echoed input."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, SecretStr, ValidationError

from canonical.booking import CreateBooking, GuestCount
from hub.problems import Problem, field_errors, invalid_problem, on_problem, on_validation


class _Guest(BaseModel):
    name: str = Field(min_length=1)


class _Body(BaseModel):
    guests: list[_Guest]
    nights: int
    token: SecretStr


def _app() -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Problem, on_problem)

    @app.post("/things")
    async def post_thing(body: _Body, limit: int = 10) -> dict[str, int]:
        return {"n": len(body.guests) + limit}

    return app


async def _post(content: bytes, query: str = "") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as http:
        return await http.post(
            f"/things{query}", content=content, headers={"content-type": "application/json"}
        )


async def test_given_invalid_fields_when_posted_then_422_names_each_field_and_reason_only() -> None:
    secret = "s3cr3t-token-value"
    answer = await _post(
        f'{{"guests": [{{"name": ""}}], "nights": "x", "token": 7, "x": "{secret}"}}'.encode()
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    fields = {e["field"]: e["reason"] for e in problem["errors"]}
    assert set(fields) == {"guests[0].name", "nights", "token"}
    assert "at least 1 character" in fields["guests[0].name"]
    assert all(set(e) == {"field", "reason"} for e in problem["errors"])
    assert "pydantic" not in answer.text and "errors.pydantic.dev" not in answer.text
    assert secret not in answer.text and '"input"' not in answer.text
    assert "guests[0].name" in problem["detail"]


async def test_given_a_bad_query_value_and_broken_json_when_posted_then_each_named() -> None:
    bad_query = (await _post(b'{"guests": [], "nights": 1, "token": "t"}', "?limit=many")).json()
    assert [e["field"] for e in bad_query["errors"]] == ["limit"]
    broken = (await _post(b'{"guests": [')).json()
    assert broken["errors"][0]["field"] == "body"
    assert broken["errors"][0]["reason"].startswith("not valid JSON")


def test_given_a_direct_booking_that_departs_before_it_arrives_when_refused_then_reason_without_input() -> (
    None
):
    with pytest.raises(ValidationError) as caught:
        CreateBooking(
            property_code="P1",
            room_type_code="DBL",
            rate_plan_code="BAR",
            arrival=date(2031, 1, 5),
            departure=date(2031, 1, 2),
            occupancy=GuestCount(adults=1),
            comments=("card 4111 on file",),
        )
    problem = invalid_problem("invalid-booking", "Invalid booking", field_errors(caught.value.errors()))
    assert problem.status == 422
    assert problem.extra["errors"] == [{"field": "body", "reason": "departure must be after arrival"}]
    assert "4111" not in problem.detail and "pydantic" not in problem.detail
