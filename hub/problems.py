"""RFC 9457 problem details for the REST API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An API error rendered as problem+json."""

    def __init__(self, status: int, slug: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    request: Request, status: int, slug: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    """A problem+json response for this request."""
    body = {
        "type": f"urn:hotelhub:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def on_problem(request: Request, exc: Exception) -> JSONResponse:
    """Render a raised Problem."""
    assert isinstance(exc, Problem)
    return problem_response(request, exc.status, exc.slug, exc.title, exc.detail, **exc.extra)


# where FastAPI says a value came from; a body field is named by its path alone
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})
_VALUE_ERROR = "Value error, "


def field_name(loc: Sequence[str | int]) -> str:
    """A field's path as a client writes it: `guests[0].name` (`body` for the body as a whole)."""
    parts = list(loc[1:] if loc and loc[0] in _SOURCES else loc)
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _reason(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"not valid JSON: {error.get('ctx', {}).get('error', 'cannot be read')}"
    reason = str(error.get("msg", "invalid"))
    return reason.removeprefix(_VALUE_ERROR)


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Each error as {"field", "reason"}: no pydantic code, URL or echoed input (it may hold a secret)."""
    found = []
    for error in errors:
        json_invalid = error.get("type") == "json_invalid"
        field = "body" if json_invalid else field_name(tuple(error.get("loc", ())))
        found.append({"field": field, "reason": _reason(error)})
    return found


def invalid_problem(slug: str, title: str, errors: list[dict[str, str]]) -> Problem:
    """A 422 problem naming each invalid field and why."""
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:3]) or "the request does not validate"
    return Problem(422, slug, title, detail, errors=errors)


async def on_validation(request: Request, exc: Exception) -> JSONResponse:
    """Render request validation errors as each field's name and the reason, nothing else.

    Never pydantic's own codes, documentation URLs or the input echoed back (it may hold a secret).
    """
    assert isinstance(exc, RequestValidationError)
    problem = invalid_problem("invalid-request", "Invalid request", field_errors(exc.errors()))
    return await on_problem(request, problem)


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    """Render Starlette's HTTP errors (404 route, 405 method) as problems too."""
    assert isinstance(exc, HTTPException)
    return problem_response(
        request, exc.status_code, f"http-{exc.status_code}", str(exc.detail), str(exc.detail)
    )
