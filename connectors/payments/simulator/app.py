"""The simulated gateway as an ASGI app: PaymentIntents API, idempotency replay, told failures, webhooks.

Idempotency as the gateway documents it: the first answer to a key is saved once execution
began (successes and card declines alike) and replayed for the same key with the same
parameters (header `Idempotent-Replayed: true`); the same key with other parameters or on
another path is a 409 `idempotency_error`. Failures told in advance (`fail_next`) stand for the
load balancer in front: they happen before execution and are not saved, except `timeout`, which
executes, saves, and then answers too late, as an answer lost on the way back would.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.payments.simulator.ledger import Ledger, SimError
from connectors.payments.webhooks import signed_headers

FAILURES = ("500", "429", "timeout")
# Which webhook event each operation sends.
_EVENTS = {
    "authorise": "payment_intent.amount_capturable_updated",
    "increment": "payment_intent.amount_capturable_updated",
    "capture": "payment_intent.succeeded",
    "void": "payment_intent.canceled",
    "refund": "charge.refunded",
}


@dataclass
class Saved:
    """One idempotency key's first answer."""

    path: str
    fingerprint: str
    status: int
    body: dict[str, Any]


@dataclass
class GatewaySimulator:
    """A gateway with its ledger; `app` serves it; `fail_next` and `ledger.decline_next` make it misbehave."""

    api_key: str = "sk_test_simulator"
    webhook_url: str | None = None
    webhook_keys: tuple[bytes, ...] = ()
    http: httpx.AsyncClient | None = None  # sends the webhooks; None: built on first use
    hang_s: float = 30.0  # how late a `timeout` answers
    clock: Callable[[], float] = time.time
    ledger: Ledger = field(default_factory=Ledger)
    saved: dict[str, Saved] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)  # (path, status) of every request
    webhooks_sent: list[tuple[str, int]] = field(default_factory=list)  # (event type, status answered)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _events: int = 0

    def fail_next(self, kind: str, count: int = 1) -> None:
        """The next `count` API calls fail as `kind` (500, 429 or timeout)."""
        if kind not in FAILURES:
            raise ValueError(f"failure {kind!r} is not one of {', '.join(FAILURES)}")
        self.failures.extend([kind] * count)

    @property
    def app(self) -> Starlette:
        """The ASGI app: the API under /v1, and /_state for the books."""
        return Starlette(
            routes=[
                Route("/v1/payment_methods", self._tokenise, methods=["POST"]),
                Route("/v1/payment_intents", self._authorise, methods=["POST"]),
                Route("/v1/payment_intents/{id}/increment_authorization", self._increment, methods=["POST"]),
                Route("/v1/payment_intents/{id}/capture", self._capture, methods=["POST"]),
                Route("/v1/payment_intents/{id}/cancel", self._void, methods=["POST"]),
                Route("/v1/refunds", self._refund, methods=["POST"]),
                Route("/_state", self._state, methods=["GET"]),
            ]
        )

    async def drain(self) -> None:
        """Wait until every webhook sent so far has had its answer."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Finish the webhooks and close the client sending them."""
        await self.drain()
        if self.http is not None:
            await self.http.aclose()

    async def _tokenise(self, request: Request) -> Response:
        return await self._serve(request, "tokenise", lambda p: self.ledger.tokenise(p))

    async def _authorise(self, request: Request) -> Response:
        return await self._serve(request, "authorise", lambda p: self.ledger.authorise(p))

    async def _increment(self, request: Request) -> Response:
        intent = request.path_params["id"]
        return await self._serve(request, "increment", lambda p: self.ledger.increment(intent, p))

    async def _capture(self, request: Request) -> Response:
        intent = request.path_params["id"]
        return await self._serve(request, "capture", lambda p: self.ledger.capture(intent, p))

    async def _void(self, request: Request) -> Response:
        intent = request.path_params["id"]
        return await self._serve(request, "void", lambda p: self.ledger.void(intent))

    async def _refund(self, request: Request) -> Response:
        return await self._serve(request, "refund", lambda p: self.ledger.refund(p))

    async def _state(self, request: Request) -> Response:
        return JSONResponse(
            {
                "captures": self.ledger.captures,
                "captured": self.ledger.captured,
                "holds": {i.id: i.wire() for i in self.ledger.intents.values()},
                "refunds": list(self.ledger.refunds.values()),
            }
        )

    def _answer(self, path: str, status: int, body: dict[str, Any], **headers: str) -> Response:
        self.calls.append((path, status))
        return JSONResponse(body, status_code=status, headers=headers or None)

    async def _serve(
        self, request: Request, operation: str, run: Callable[[dict[str, str]], dict[str, Any]]
    ) -> Response:
        path = request.url.path
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._answer(
                path,
                401,
                {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_****"}},
            )
        failure = self.failures.pop(0) if self.failures else None
        if failure == "500":
            return self._answer(path, 500, {"error": {"type": "api_error", "message": "An error occurred."}})
        if failure == "429":
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "code": "rate_limit",
                    "message": "Too many requests.",
                }
            }
            return self._answer(path, 429, body, **{"Retry-After": "1"})
        # Parsed here rather than with request.form(): that needs python-multipart, for one format.
        params = dict(parse_qsl((await request.body()).decode("ascii", "replace"), keep_blank_values=True))
        key = request.headers.get("idempotency-key")
        fingerprint = hashlib.sha256(json.dumps(sorted(params.items())).encode()).hexdigest()
        if key is not None and key in self.saved:
            saved = self.saved[key]
            if saved.path != path or saved.fingerprint != fingerprint:
                body = {
                    "error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.",
                    }
                }
                return self._answer(path, 409, body)
            return self._answer(path, saved.status, saved.body, **{"Idempotent-Replayed": "true"})
        try:
            status, body = 200, run(params)
        except SimError as err:
            status, body = err.status, err.body
            if status == 400 or status == 404:  # refused before execution began: not saved
                return self._answer(path, status, body)
        if key is not None:
            self.saved[key] = Saved(path, fingerprint, status, body)
        self._notify(operation, status, body)
        if failure == "timeout":
            await asyncio.sleep(self.hang_s)
        return self._answer(path, status, body)

    def _notify(self, operation: str, status: int, body: dict[str, Any]) -> None:
        if self.webhook_url is None or not self.webhook_keys or operation == "tokenise":
            return
        kind = _EVENTS[operation] if status == 200 else "payment_intent.payment_failed"
        self._events += 1
        event = {
            "id": f"evt_sim{self._events:08d}",
            "object": "event",
            "type": kind,
            "created": int(self.clock()),
            "data": {"object": body if status == 200 else body.get("error", {})},
        }
        task = asyncio.get_running_loop().create_task(self._send(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, event: dict[str, Any]) -> None:
        assert self.webhook_url is not None
        if self.http is None:
            self.http = httpx.AsyncClient(timeout=10.0)
        body = json.dumps(event).encode()
        headers = signed_headers(self.webhook_keys, str(event["id"]), int(self.clock()), body)
        headers["content-type"] = "application/json"
        try:
            answer = await self.http.post(self.webhook_url, content=body, headers=headers)
            self.webhooks_sent.append((str(event["type"]), answer.status_code))
        except httpx.HTTPError:
            self.webhooks_sent.append((str(event["type"]), 0))
