"""RFC 9457 problem details for the REST API."""

from __future__ import annotations

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


async def on_validation(request: Request, exc: Exception) -> JSONResponse:
    """Render request validation errors with each field's location and reason."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()
    ]
    return problem_response(
        request,
        422,
        "invalid-request",
        "Invalid request",
        "the request does not validate",
        errors=errors,
    )


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    """Render Starlette's HTTP errors (404 route, 405 method) as problems too."""
    assert isinstance(exc, HTTPException)
    return problem_response(
        request, exc.status_code, f"http-{exc.status_code}", str(exc.detail), str(exc.detail)
    )
