"""One send round of one channel: take pending keys, read their current values, shape, send, settle.

The values are read from the core when sending, never from the change, so the channel always ends
with the last value. The channel's answer decides each key: Success or Warnings -> settled;
Errors naming items -> those items' cells dead-lettered with the channel's code and text, the rest
settled; a whole message refused -> its cells dead-lettered; 429 / 5xx / timeout / an unreadable
answer -> the keys stay and the round ends (the caller waits the seam's delay); credentials refused
-> the channel is paused (one alert), the keys stay, nothing is dead-lettered.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.ari import AriKind, AvailabilityCell, RateCell
from canonical.base import utcnow
from canonical.errors import ConfigurationError, HubError, PermanentError, TransientError
from connectors.ota.ari_answers import AnswerNote, AnswerStatus, NotifAnswer, read_answer
from connectors.ota.ari_ranges import availability_ranges, rate_ranges, restriction_ranges
from connectors.ota.ari_shaping import OutboundMessage, SentItem, Shaping, shape
from connectors.ota.settings import HOTEL_RATE_AMOUNT_NOTIF_RQ
from pms_core.adapters.catalog import load_catalog
from pms_core.ari import availability_cells
from pms_core.ari_values import rate_cells_at
from pms_core.errors import UnknownProperty, UnknownRatePlan, UnknownRoomType
from pms_core.queries import MAX_AVAILABILITY_DAYS
from routes import ari_metrics, ari_pending, ari_state
from routes.ari_channels import AriChannel
from routes.ari_complete import CompleteSets, complete_sets
from routes.ari_letters import refusal_letters
from routes.ari_pending import PendingKey
from routes.deadletters import record
from routes.outbound.client import OutboundClient
from routes.outbound.errors import Waiting
from routes.pauses import pause_partner

log = logging.getLogger("hotelhub.ari")

# Read at most this many nights at once (the core's longest availability read); the rest waits a round.
_READ_SPAN = MAX_AVAILABILITY_DAYS


_ELSEWHERE = "another process sends to it"


@dataclass(frozen=True)
class Round:
    """What one round did: `outcome` ok (all taken keys handled), idle (nothing pending), transient,
    waiting (breaker open / paused) or paused (credentials refused just now)."""

    outcome: str
    messages: int = 0
    cells: int = 0
    settled: int = 0
    retry_after_s: float | None = None
    error: str | None = None


# an answered message whose answer's transaction found the channel's lease held by another process
_LOST = Round("waiting", error=_ELSEWHERE)


def message_kind(message_name: str) -> str:
    """The rate-limit kind of a message: `rates`, or `availability` (restrictions and rooms left)."""
    return "rates" if message_name == HOTEL_RATE_AMOUNT_NOTIF_RQ else "availability"


def _item_keys(property_code: str, item: SentItem) -> list[PendingKey]:
    return [
        PendingKey(property_code, item.room_type, item.rate_plan or "", item.first + timedelta(d), item.kind)
        for d in range(item.cells)
    ]


async def _messages(
    conn: AsyncConnection,
    channel: AriChannel,
    property_code: str,
    keys: set[PendingKey],
    shaping: Shaping,
    echo_prefix: str,
) -> list[OutboundMessage]:
    """The messages that carry the current values of `keys` (one property's) to the channel."""
    codes = channel.codes(property_code)
    if codes is None:
        return []
    by_kind: dict[str, set[PendingKey]] = defaultdict(set)
    for key in keys:
        by_kind[key.kind].add(key)
    catalog = await load_catalog(conn, property_code)
    rate_keys = by_kind[AriKind.RATES.value] | by_kind[AriKind.RESTRICTIONS.value]
    cells: list[RateCell] = []
    if rate_keys:
        # only the pending cells, however far apart: never every night of their span
        cells = await rate_cells_at(
            conn, property_code, {(k.room_type, k.rate_plan, k.night) for k in rate_keys}, setup=catalog
        )
    wanted_rates = {(k.room_type, k.rate_plan, k.night) for k in by_kind[AriKind.RATES.value]}
    wanted_restrictions = {(k.room_type, k.rate_plan, k.night) for k in by_kind[AriKind.RESTRICTIONS.value]}
    rooms_left = []
    room_keys = by_kind[AriKind.AVAILABILITY.value]
    known_types = {code for code, ref in catalog.room_types.items() if ref.active}
    rooms = {k.room_type for k in room_keys if k.room_type in known_types}
    if rooms:
        wanted_rooms = {(k.room_type, k.night) for k in room_keys}
        first, last = min(k.night for k in room_keys), max(k.night for k in room_keys)
        shown = channel.policy.availability.shown
        rooms_left = [
            AvailabilityCell.model_construct(
                room_type=c.room_type, night=c.night, available=shown(c.room_type, c.night, c.available)
            )
            for c in await availability_cells(conn, property_code, first, last, room_types=rooms)
            if (c.room_type, c.night) in wanted_rooms
        ]
    return shape(
        codes,
        shaping,
        currency=catalog.prop.currency,
        stamp=utcnow(),
        echo_prefix=echo_prefix,
        restrictions=restriction_ranges(
            c for c in cells if (c.room_type, c.rate_plan, c.night) in wanted_restrictions
        ),
        rates=rate_ranges(c for c in cells if (c.room_type, c.rate_plan, c.night) in wanted_rates),
        availability=availability_ranges(rooms_left),
    )


class _Answers:
    """The answer check handed to the seam: remembers the parsed answer, raises for credentials refused."""

    def __init__(self, message_name: str) -> None:
        self.message_name = message_name
        self.answer: NotifAnswer | None = None

    def __call__(self, response: httpx.Response) -> None:
        answer = read_answer(response.content, request_name=self.message_name)
        if answer.status is AnswerStatus.AUTH_FAILED:
            raise ConfigurationError(f"the channel refused the hub's credentials: {answer.reason()}")
        self.answer = answer


async def send_round(
    channel: AriChannel,
    client: OutboundClient,
    *,
    engine: AsyncEngine,
    reader: AsyncEngine,
    secrets: Mapping[str, str],
    limit: int = 20_000,
    keep: Callable[[], Awaitable[bool]] | ari_state.Lease | None = None,
) -> Round:
    """Send what one channel has pending (up to `limit` keys), message by message.

    `keep` is asked before each message whether this process may still send to the channel (its
    lease renewed); when it says no, the round ends and the cells stay pending for the lease holder.
    A `Lease` is asked before a property's first message only, then renewed in the transaction that
    records each answer: one write a message, and a sender that lost it still stops before the next.
    """
    lease = keep if isinstance(keep, ari_state.Lease) else None
    async with reader.connect() as conn:
        taken = await ari_pending.take(conn, channel.id, limit=limit)
    if not taken:
        return Round("idle")
    messages = cells = settled = 0
    by_property: dict[str, dict[PendingKey, int]] = defaultdict(dict)
    for key, seq in taken.items():
        by_property[key.property_code][key] = seq
    try:
        headers = channel.headers(secrets)
        shaping = channel.shaping(secrets)
    except TransientError as err:
        return Round("transient", error=str(err), retry_after_s=err.retry_after_s)
    for property_code, seqs in by_property.items():
        first = min(k.night for k in seqs)
        seqs = {k: s for k, s in seqs.items() if (k.night - first).days < _READ_SPAN}
        echo = f"{channel.id}-{uuid4().hex[:10]}"
        renewed = False  # by the last answer's transaction: reading a property's cells may take long
        sets = CompleteSets()
        try:
            async with reader.connect() as conn:
                sets = await complete_sets(conn, channel, property_code, seqs, shaping, echo)
                built = sets.messages
                if sets.rest:
                    built = built + await _messages(conn, channel, property_code, sets.rest, shaping, echo)
        except (UnknownProperty, UnknownRoomType, UnknownRatePlan) as err:
            log.warning("channel %s: cells of %s no longer exist: %s", channel.id, property_code, err)
            built = []
        coverage: Counter[PendingKey] = Counter()
        covered: list[set[PendingKey]] = []
        for message in built:
            keys = {k for item in message.items for k in _item_keys(property_code, item) if k in seqs}
            keys.update(sets.settles(message))
            coverage.update(keys)
            covered.append(keys)
        # a pending cell no message carries (not mapped, no amount, a type the channel does not
        # take, gone from the core) has nothing to wait for
        idle = {k: s for k, s in seqs.items() if k not in coverage}
        if idle:
            async with engine.begin() as conn:
                settled += await ari_pending.settle(conn, channel.id, idle)
        for message, keys in zip(built, covered, strict=True):
            if keep is not None and not renewed and not await keep():
                return Round("waiting", messages, cells, settled, error=_ELSEWHERE)
            # settled in the transaction that records the answer: one write a message
            done = {k: seqs[k] for k in keys if coverage[k] <= 1}
            result = await _send_one(channel, client, message, headers, property_code, engine, done, lease)
            if result is not None and result is not _LOST:
                return Round(
                    result.outcome,
                    messages,
                    cells,
                    settled,
                    retry_after_s=result.retry_after_s,
                    error=result.error,
                )
            messages += 1
            cells += message.cells
            coverage.subtract(keys)
            settled += len(done)
            if result is _LOST:  # answered and recorded, but another process holds the channel now
                return Round("waiting", messages, cells, settled, error=_ELSEWHERE)
            renewed = lease is not None
    return Round("ok", messages, cells, settled)


async def _send_one(
    channel: AriChannel,
    client: OutboundClient,
    message: OutboundMessage,
    headers: dict[str, str],
    property_code: str,
    engine: AsyncEngine,
    done: dict[PendingKey, int],
    lease: ari_state.Lease | None,
) -> Round | None:
    """Send one message and record its answer; None when it was answered and the keys `done`
    settled with the answer (`_LOST` when so but `lease` went to another process), else why not
    (nothing settled)."""
    check = _Answers(message.message_name)
    try:
        await client.send(
            "POST",
            content=message.body,
            headers=headers,
            property_code=property_code,
            kind=message_kind(message.message_name),
            check=check,
        )
    except Waiting as err:
        return Round("waiting", retry_after_s=err.retry_after_s, error=str(err))
    except ConfigurationError as err:
        async with engine.begin() as conn:
            await pause_partner(conn, channel.id, str(err))
            await ari_state.answered(conn, channel.id, "auth_failed", str(err), message=None)
        ari_metrics.MESSAGES.labels(channel.id, message.message_name, "auth_failed").inc()
        return Round("paused", error=str(err))
    except TransientError as err:
        async with engine.begin() as conn:
            await ari_state.answered(conn, channel.id, "transient", str(err), message=None)
        ari_metrics.MESSAGES.labels(channel.id, message.message_name, "transient").inc()
        return Round("transient", retry_after_s=err.retry_after_s, error=str(err))
    except PermanentError as err:
        notes = [(item, AnswerNote(None, None, str(err))) for item in message.items]
        held = await _answered(
            channel, property_code, message, notes, engine, "failed", str(err), done, lease
        )
        return None if held else _LOST
    except HubError as err:  # another branch of the tree: treat as transient, never lose the cells
        return Round("transient", error=str(err))
    answer = check.answer
    assert answer is not None
    if answer.status is AnswerStatus.FAILED:
        notes = [(item, answer.errors[0]) for item in message.items]
        held = await _answered(
            channel, property_code, message, notes, engine, answer.status.value, answer.reason(), done, lease
        )
        return None if held else _LOST
    notes = []
    if answer.status is AnswerStatus.PARTIAL:
        for error in answer.errors:
            item = message.item(error.item) if error.item is not None else None
            if item is not None:
                notes.append((item, error))
    if answer.status is AnswerStatus.WARNINGS:
        log.warning(
            "channel %s took %s with warnings: %s",
            channel.id,
            message.echo_token,
            answer.reason(),
            extra={"partner": channel.id, "echo_token": message.echo_token},
        )
    held = await _answered(
        channel, property_code, message, notes, engine, answer.status.value, answer.reason(), done, lease
    )
    return None if held else _LOST


async def _answered(
    channel: AriChannel,
    property_code: str,
    message: OutboundMessage,
    notes: list[tuple[SentItem, AnswerNote]],
    engine: AsyncEngine,
    status: str,
    text: str,
    done: dict[PendingKey, int],
    lease: ari_state.Lease | None,
) -> bool:
    """Record an answer, settle `done` and renew `lease` in one transaction; False when the lease
    went to another process (the answer is recorded all the same: the message was sent)."""
    held = True
    async with engine.begin() as conn:
        for letter in refusal_letters(channel.id, property_code, message, notes):
            await record(conn, letter)
        await ari_state.answered(conn, channel.id, status, text, message=message)
        await ari_pending.settle(conn, channel.id, done)
        if lease is not None:
            held = await lease.renew(conn)
    ari_metrics.MESSAGES.labels(channel.id, message.message_name, status).inc()
    ari_metrics.CELLS.labels(channel.id).inc(message.cells)
    return held
