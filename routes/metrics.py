"""Prometheus metrics of the delivery layer, served at /metrics (README.md, Interfaces)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter(
    "hotelhub_messages_total", "Messages handled, by consumer and outcome", ["consumer", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "hotelhub_handler_seconds",
    "Handler latency by consumer",
    ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DEAD_LETTERS = Counter(
    "hotelhub_dead_letters_total", "Messages dead-lettered, by consumer and error", ["consumer", "error"]
)
DEAD_LETTERS_OPEN = Gauge("hotelhub_dead_letters_open", "Dead letters waiting for staff")
OUTBOX_PENDING = Gauge("hotelhub_outbox_pending", "Outbox rows not yet delivered or published")
OUTBOX_LAG = Gauge("hotelhub_outbox_lag_seconds", "Age of the oldest pending outbox row")
INGRESS = Counter(
    "hotelhub_ingress_total",
    "Partner messages received, by partner, message and outcome",
    ["partner", "message", "outcome"],
)
INGRESS_SECONDS = Histogram(
    "hotelhub_ingress_seconds",
    "Time to answer a partner message",
    ["message"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
PUBLISHED = Counter("hotelhub_published_total", "Outbox rows published to the broker", ["outcome"])
OVERBOOKINGS = Counter(
    "hotelhub_overbookings_total", "Partner bookings kept on a sold-out night", ["property"]
)
PARTNER_PAUSED = Gauge(
    "hotelhub_partner_paused",
    "1 while a partner is paused by a configuration failure (credentials refused), else 0",
    ["partner"],
)
BREAKER_STATE = Gauge(
    "hotelhub_partner_breaker_state",
    "A partner's circuit breaker: 0 closed, 1 half-open, 2 open",
    ["partner"],
)
OUTBOUND_CALLS = Counter(
    "hotelhub_outbound_calls_total",
    "Calls to partners, by partner and outcome (ok, transient, permanent, configuration, refused)",
    ["partner", "outcome"],
)
