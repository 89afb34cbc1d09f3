"""What the push and pull channels share: the door (credentials, told failures, XSD check, counting)
and the control API on the same server (`POST /_control`, `GET /_state`, `GET /_stats`, `GET /_calls`,
`POST /_reset`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.ota.simulator.behaviour import Answer, AuthFailure, Behaviour, ItemSelector
from connectors.ota.simulator.book import jsonable
from connectors.ota.simulator.counters import CallCounters
from connectors.ota.simulator.schemas import SchemaFolder
from connectors.ota.simulator.wire import (
    Issue,
    Received,
    WireError,
    answer,
    basic_matches,
    malformed,
    read,
    write,
)

_POLL_S = 0.05


@dataclass(frozen=True)
class Call:
    """One request the channel received, and how it was answered."""

    at: float  # the channel's clock when it arrived
    message: str
    hotel: str
    size: int  # bytes of the body
    items: int
    cells: int  # night cells applied
    status: int  # the HTTP status answered
    outcome: str  # applied, warnings, partial_errors, server_error, timeout, rate_limited, unauthorized...
    problem: str | None = None


@dataclass
class Handled:
    """What a channel's own handler made of an accepted request."""

    errors: tuple[Issue, ...] = ()
    body: tuple[etree._Element, ...] = ()
    items: int = 0
    cells: int = 0
    warnings: tuple[Issue, ...] = field(default_factory=tuple)


class SimulatedChannel:
    """A channel at its HTTP boundary; subclasses say which messages it takes and what it does with them."""

    accepts: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        username: str,
        password: str,
        soap: bool = False,
        schemas: SchemaFolder | None = None,
        clock: Callable[[], float] = time.monotonic,
        path: str = "/ota",
    ) -> None:
        self.username, self.password, self.soap = username, password, soap
        self.schemas, self.clock = schemas, clock
        self.behaviour = Behaviour()
        self.counters = CallCounters()
        self.calls: list[Call] = []
        self._told = 0
        self._gate: asyncio.Event | None = None
        self.app = Starlette(
            routes=[
                Route(path, self._door, methods=["POST"]),
                Route("/_control", self._control, methods=["POST", "GET"]),
                Route("/_state", self._state, methods=["GET"]),
                Route("/_stats", self._stats, methods=["GET"]),
                Route("/_calls", self._calls, methods=["GET"]),
                Route("/_reset", self._reset, methods=["POST"]),
            ]
        )

    # Python control API
    def behave(self, **changes: Any) -> Behaviour:
        """Change how the channel answers (fields of Behaviour); counting of every_other restarts."""
        self.behaviour = Behaviour.model_validate(self.behaviour.model_dump() | changes)
        self._told = 0
        return self.behaviour

    def reset(self) -> None:
        """Back to a healthy channel with nothing received, counted or held."""
        self.behaviour, self.counters, self.calls, self._told = Behaviour(), CallCounters(), [], 0
        self.reset_state()

    def pause(self) -> None:
        """Hold every request at the door (in flight) until resume(): for counting concurrency."""
        self._gate = asyncio.Event()

    def resume(self) -> None:
        """Let held requests through."""
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.set()

    def stats(self, window_s: float | None = None) -> dict[str, Any]:
        """The counters as plain dicts: calls per message, busiest windows, requests in flight."""
        return self.counters.as_dict(window_s)

    # To be given by each channel
    def hotel_of(self, message: etree._Element) -> str:
        """The hotel a message is about (for per-property counting)."""
        raise NotImplementedError

    def handle(self, received: Received, refuse: tuple[ItemSelector, ...]) -> Handled:
        """Apply an accepted, authenticated, valid request."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the channel holds, as plain dicts."""
        raise NotImplementedError

    def reset_state(self) -> None:
        """Forget what the channel holds."""
        raise NotImplementedError

    # The door
    async def _door(self, request: Request) -> Response:
        body = await request.body()
        at = self.clock()
        try:
            received = read(body)
        except WireError as err:
            self.counters.arrived(at, message="?", hotel="")
            self.calls.append(Call(at, "?", "", len(body), 0, 0, 400, "unreadable", str(err)))
            return _xml(write(malformed(), soap=False), 400)
        hotel = self.hotel_of(received.message)
        self.counters.arrived(at, message=received.name, hotel=hotel)
        self.counters.started()
        try:
            reply = await self._answer(request, received)
        finally:
            self.counters.finished()
        handled = reply.handled
        self.calls.append(
            Call(
                at,
                received.name,
                hotel,
                len(body),
                handled.items,
                handled.cells,
                reply.status,
                reply.outcome,
                reply.problem,
            )
        )
        return reply.response

    async def _answer(self, request: Request, received: Received) -> _Reply:
        if self._gate is not None:
            await self._gate.wait()
        told = self.behaviour
        if told.latency_s:
            await asyncio.sleep(told.latency_s)
        failing = self._told % 2 == 0 if told.every_other else True
        self._told += 1
        mode = told.answer if failing else Answer.SUCCESS
        if mode is Answer.UNAUTHORIZED or not self._authenticated(request, received):
            return self._auth_failed(received, told)
        if mode is Answer.SERVER_ERROR:
            return _Reply(500, "server_error", self._ota_error(received, "12", "Internal error", 500))
        if mode is Answer.RATE_LIMITED:
            reply = self._ota_error(received, "12", "Too many requests", 429)
            reply.headers["Retry-After"] = str(told.retry_after_s)
            return _Reply(429, "rate_limited", reply)
        if mode is Answer.TIMEOUT:
            await _hold(request, told.hold_s)
            return _Reply(504, "timeout", Response(status_code=504))
        if received.name not in self.accepts:
            return _Reply(
                200, "unsupported", self._ota_error(received, "2", f"{received.name} is not supported")
            )
        if self.schemas is not None and told.validate_xsd:
            problem = self.schemas.problem(received.message)
            if problem is not None:
                text = f"Invalid against OTA 2015A: {problem}"
                return _Reply(200, "invalid", self._ota_error(received, "10", text, code="321"), problem)
        handled = self.handle(received, told.error_items if mode is Answer.PARTIAL_ERRORS else ())
        warnings = handled.warnings
        if mode is Answer.WARNINGS:
            warnings = (*warnings, Issue("11", "450", told.warning_text))
        message = answer(
            received.name,
            echo_token=received.echo_token,
            errors=handled.errors,
            warnings=warnings,
            body=handled.body,
        )
        outcome = "partial_errors" if handled.errors else "warnings" if warnings else "applied"
        return _Reply(200, outcome, _xml(write(message, soap=received.soap), 200), None, handled)

    def _authenticated(self, request: Request, received: Received) -> bool:
        if self.soap:
            return received.soap and received.wss_matches(self.username, self.password)
        return basic_matches(request.headers.get("authorization"), self.username, self.password)

    def _auth_failed(self, received: Received, told: Behaviour) -> _Reply:
        if told.auth_failure is AuthFailure.OTA:
            return _Reply(
                200, "unauthorized", self._ota_error(received, "4", "Authorization error", code="497")
            )
        headers = {"WWW-Authenticate": 'Basic realm="channel"'}
        return _Reply(401, "unauthorized", Response("Unauthorized", status_code=401, headers=headers))

    def _ota_error(
        self, received: Received, type_: str, text: str, status: int = 200, *, code: str = "450"
    ) -> Response:
        message = answer(received.name, echo_token=received.echo_token, errors=(Issue(type_, code, text),))
        return _xml(write(message, soap=received.soap), status)

    # The control API
    async def _control(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.behave(**(await request.json()))
            except (ValidationError, ValueError, TypeError) as err:
                return JSONResponse({"title": "Invalid behaviour", "detail": str(err)}, status_code=422)
        return JSONResponse(self.behaviour.model_dump(mode="json"))

    async def _state(self, request: Request) -> Response:
        return JSONResponse(jsonable(self.state()))

    async def _stats(self, request: Request) -> Response:
        window = request.query_params.get("window")
        try:
            window_s = None if window is None else float(window)
        except ValueError:
            return JSONResponse({"title": "Invalid window", "detail": f"window={window!r}"}, status_code=422)
        if window_s is not None and not 0 < window_s <= 86400:
            return JSONResponse({"title": "Invalid window", "detail": "0 < window <= 86400"}, status_code=422)
        return JSONResponse(self.stats(window_s))

    async def _calls(self, request: Request) -> Response:
        return JSONResponse([asdict(call) for call in self.calls])

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"reset": True})


@dataclass
class _Reply:
    status: int
    outcome: str
    response: Response
    problem: str | None = None
    handled: Handled = field(default_factory=Handled)


async def _hold(request: Request, hold_s: float) -> None:
    """Keep a request unanswered for `hold_s`, or until its client gives up waiting."""
    deadline = time.monotonic() + hold_s
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(_POLL_S)


def _xml(body: bytes, status: int) -> Response:
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
