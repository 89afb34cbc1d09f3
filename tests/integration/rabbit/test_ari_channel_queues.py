"""A channel's queue on a real RabbitMQ: one process at a time has the channel's turn, a nudge held
by a sender that dies goes to the next process at once, and a queue at rest is empty."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from services import queue_depths, rabbit_vhost

from routes.rabbit.channel_queues import ChannelQueues, channel_queue
from routes.rabbit.transport import hub_broker

pytestmark = pytest.mark.services

CHANNEL = "otaone"


@dataclass
class Process:
    """One process's side of the channels' queues: the turns it was given, and whether it lost them."""

    queues: ChannelQueues
    turns: list[str] = field(default_factory=list)
    lost: list[bool] = field(default_factory=list)


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A fresh vhost of its own."""
    with rabbit_vhost() as url:
        yield url


@asynccontextmanager
async def process(broker_url: str) -> AsyncIterator[Process]:
    """A process's broker connection and channel queues, following CHANNEL."""
    broker = hub_broker(broker_url)
    turns: list[str] = []
    lost: list[bool] = []
    queues = ChannelQueues(broker, on_turn=turns.append, on_lost=lambda: lost.append(True))
    await queues.start(await broker.connect())
    await queues.follow([CHANNEL])
    try:
        yield Process(queues, turns, lost)
    finally:
        await queues.close()
        await broker.stop()


async def eventually(check: Callable[[], bool], *, what: str, timeout: float = 10.0) -> None:
    """Wait for an effect; fail naming it when it does not come."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_given_two_processes_when_nudged_then_only_the_first_in_line_has_the_turn(
    broker_url: str,
) -> None:
    async with process(broker_url) as a, process(broker_url) as b:
        for _ in range(3):
            b.queues.nudge([CHANNEL])  # published from the other process: the queue decides
            await asyncio.sleep(0.05)
        await eventually(lambda: len(a.turns) >= 2, what="a's turns")
        await asyncio.sleep(0.2)
        assert b.turns == []


async def test_given_a_busy_sender_when_its_process_dies_then_the_next_gets_the_held_nudge_at_once(
    broker_url: str,
) -> None:
    async with process(broker_url) as a, process(broker_url) as b:
        a.queues.busy(CHANNEL)  # a round in progress: a keeps the nudge
        a.queues.nudge([CHANNEL])
        await eventually(lambda: a.turns == [CHANNEL], what="a's turn")
        await a.queues.broker.stop()  # the connection goes, as when the process is killed
        await eventually(lambda: b.turns == [CHANNEL], what="b's turn, with no new nudge")
        assert a.lost == [True]


async def test_given_a_sender_at_rest_when_it_had_nudges_then_its_queue_is_empty(broker_url: str) -> None:
    async with process(broker_url) as a:
        a.queues.busy(CHANNEL)
        a.queues.nudge([CHANNEL])
        await eventually(lambda: bool(a.turns), what="a's turn")
        name = channel_queue(CHANNEL).name
        assert (await queue_depths(broker_url))[name] == (0, 1)  # held while sending
        await a.queues.rest(CHANNEL)
        a.queues.nudge([CHANNEL])  # at rest a nudge is answered as it arrives
        await eventually(lambda: len(a.turns) == 2, what="a's second turn")
        await asyncio.sleep(0.1)
        assert (await queue_depths(broker_url))[name] == (0, 0)
