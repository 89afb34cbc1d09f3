"""A channel down: the breaker opens, nothing is sent or dead-lettered while it is open, the backlog
drains after it (on the seam's injected clock); and the per-channel metrics follow what was sent."""

from __future__ import annotations

from datetime import date, timedelta

from ari_views import HOTEL, core_view
from conftest import ENVIRON, Distributing
from sqlalchemy import func, select

from canonical.base import utcnow
from routes import ari_metrics, ari_pending
from routes.ari_out import AriDistributor
from routes.ari_pending import PendingKey
from routes.ari_resync import mark_resync
from routes.outbound.registry import OutboundClients
from routes.tables import dead_letters

FIRST = date(2031, 4, 1)
LAST = FIRST + timedelta(days=6)


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_given_a_channel_down_when_the_breaker_opens_then_nothing_is_sent_and_the_backlog_drains_after(
    distributing: Distributing,
) -> None:
    d = distributing
    clock = Clock()
    clients = OutboundClients(clock=clock)
    ari = AriDistributor(
        engine=d.hub.engine,
        reader=d.hub.reader,
        directory=d.hub.directory,
        clients=clients,
        secrets=ENVIRON,
        sleep=clock.sleep,
    )
    try:
        async with d.hub.engine.begin() as conn:
            await mark_resync(conn, "otaone", FIRST, LAST)
        d.sim.behave(answer="server_error")
        failing = [await ari.round("otaone") for _ in range(5)]  # the demo's threshold: 5 in a row
        while_open = [await ari.round("otaone") for _ in range(3)]
        calls_open = len(d.sim.calls)

        d.sim.behave(answer="success")
        clock.now += 60  # the demo's open_s: the next call is the half-open probe
        drained = await ari.drain("otaone")

        assert [r.outcome for r in failing] == ["transient"] * 5
        assert [r.outcome for r in while_open] == ["waiting"] * 3 and calls_open == 5
        assert ari.breakers["otaone"] == "closed" and drained[-1].outcome == "idle"
        assert d.sim.state()[HOTEL] == await core_view(d.hub.reader, FIRST, LAST)
        async with d.hub.engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(dead_letters))).scalar_one() == 0
    finally:
        await clients.aclose()


def _count(channel: str, message: str, status: str) -> float:
    return ari_metrics.MESSAGES.labels(channel, message, status)._value.get()


async def test_given_a_resync_when_drained_then_the_channel_metrics_show_pending_then_sent(
    distributing: Distributing,
) -> None:
    d = distributing
    rates = ("otaone", "OTA_HotelRateAmountNotifRQ", "success")
    sent_before, cells_before = _count(*rates), ari_metrics.CELLS.labels("otaone")._value.get()
    async with d.hub.engine.begin() as conn:
        hour_ago = utcnow() - timedelta(hours=1)  # one cell has waited an hour
        await ari_pending.mark(
            conn, "otaone", [PendingKey("ALPINA", "DBL", "", FIRST, "availability")], now=hour_ago
        )
        marked = await mark_resync(conn, "otaone", FIRST, LAST)
    await d.ari.observe("otaone")
    pending = ari_metrics.PENDING.labels("otaone")._value.get()
    oldest = ari_metrics.OLDEST.labels("otaone")._value.get()

    await d.ari.drain("otaone")

    assert pending == marked.cells and oldest >= 3600
    assert _count(*rates) == sent_before + 1
    assert ari_metrics.CELLS.labels("otaone")._value.get() - cells_before == sum(c.cells for c in d.sim.calls)
    assert ari_metrics.PENDING.labels("otaone")._value.get() == 0
    assert ari_metrics.OLDEST.labels("otaone")._value.get() == 0
