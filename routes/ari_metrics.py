"""Prometheus metrics of the ARI distributor, per channel (served at /metrics with the others)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PENDING = Gauge("hotelhub_ari_pending_cells", "Channel cells waiting to be sent", ["channel"])
OLDEST = Gauge(
    "hotelhub_ari_oldest_pending_seconds",
    "Age of the oldest change a channel has not yet received",
    ["channel"],
)
MESSAGES = Counter(
    "hotelhub_ari_messages_total",
    "ARI messages sent, by channel, message and answer (success, warnings, partial, failed, "
    "auth_failed, transient)",
    ["channel", "message", "status"],
)
CELLS = Counter(
    "hotelhub_ari_cells_total", "Cells (nights of an item) sent and answered, by channel", ["channel"]
)
