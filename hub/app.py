"""The HTTP app: OTA ingress, PMS API, health, readiness, metrics, OpenAPI at /docs and /redoc."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from hub import (
    http_ari,
    http_audit,
    http_channels,
    http_erp,
    http_folios,
    http_ota,
    http_partners,
    http_payments,
    http_pms,
    http_stays,
    openapi,
)
from hub.bootstrap import Hub, build_hub, settle_heap
from hub.problems import Problem, on_http, on_problem, on_validation
from hub.settings import HubSettings
from routes import deadletters, metrics
from routes.outbox import pending_count

log = logging.getLogger("hotelhub.http")


class HubApp(FastAPI):
    """FastAPI with the OTA door in front of its whole middleware stack.

    POST /ota is answered before FastAPI's error, telemetry and body-limit middlewares (the door
    caps bodies and shapes every error itself): measured under load, those layers cost about a
    tenth of the door's CPU a push. Everything else goes through the full stack as usual.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack, wrapped by the door."""
        return http_ota.OtaDoor(super().build_middleware_stack())


def create_app(
    settings: HubSettings | None = None,
    *,
    hub: Hub | None = None,
    consume: bool = True,
    settle: bool = False,
) -> FastAPI:
    """Build the app; its lifespan starts the hub (embedded dispatcher or broker publisher).

    `settle`: once started, move what start-up built out of the collector's reach (`settle_heap`);
    for a process that runs this one app until it exits (`hotelhub serve`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hub is not None:  # the caller started it and will stop it
            app.state.hub = hub
            yield
            return
        the_hub = build_hub(settings or HubSettings())
        app.state.hub = the_hub
        # In RabbitMQ mode the API process only ingests; workers consume and relay.
        await the_hub.start(consume=consume, relay=False, upkeep=True)
        if settle:
            settle_heap()
        try:
            yield
        finally:
            await the_hub.stop()

    app = HubApp(
        title="hotelhub",
        version="0.1.0",
        summary="Integration hub and channel manager for hotels",
        lifespan=lifespan,
        docs_url=None,  # openapi.install serves /docs and /redoc with their assets, no CDN
        redoc_url=None,
    )
    openapi.install(app)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.include_router(http_ota.router)  # documents /ota; HubApp's OtaDoor serves it
    app.include_router(http_pms.router)
    app.include_router(http_ari.router)
    app.include_router(http_partners.router)
    app.include_router(http_channels.router)
    app.include_router(http_payments.router)
    app.include_router(http_stays.router)
    app.include_router(http_folios.router)
    app.include_router(http_audit.router)
    app.include_router(http_erp.router)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        responses={503: {"description": "Not ready: the checks say which part is not reachable"}},
    )
    async def readyz(request: Request, response: Response) -> dict[str, object]:
        """Database (and broker with its consumers) reachable; 503 otherwise."""
        checks = await request.app.state.hub.ready()
        ok = all(checks.values())
        response.status_code = 200 if ok else 503
        return {"status": "ready" if ok else "not ready", "checks": checks}

    @app.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def prometheus(request: Request) -> Response:
        """Prometheus metrics, with outbox and dead-letter gauges read at scrape time."""
        try:
            async with request.app.state.hub.reader.connect() as conn:
                metrics.OUTBOX_PENDING.set(await pending_count(conn))
                metrics.DEAD_LETTERS_OPEN.set(await deadletters.count_open(conn))
        except Exception:  # a scrape must answer even when the database does not
            log.warning("metrics: database gauges unavailable", exc_info=True)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
