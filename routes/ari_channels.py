"""Which partners receive ARI, and which channel cells a change or a resync marks for each.

A channel is an enabled partner of kind `ota` with an outbound URL and a mapping; it gets the
cells of the properties it is granted and mapped for, of the room types and rate plans its mapping
maps (under every partner code mapped to a hub code: the shaping step expands them).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import AriChanged, AriKind
from canonical.errors import TransientError
from connectors.ota.ari_shaping import ChannelCodes, Shaping
from connectors.ota.codec import UsernameToken
from mappings.model import PartnerMapping, PropertyMapping
from routes import ari_pending
from routes.ari_pending import PendingKey
from routes.ari_policy import AriPolicy
from routes.partners import PartnerKind, PartnerRecord, load_partners
from routes.tables import partner_grants, partners

RATE_KINDS = (AriKind.RATES, AriKind.RESTRICTIONS)


@dataclass(frozen=True)
class AriChannel:
    """One partner that receives ARI, with its mapping read once."""

    record: PartnerRecord

    @property
    def id(self) -> str:
        """The partner id."""
        return self.record.id

    @cached_property
    def mapping(self) -> PartnerMapping:
        """The partner's code map."""
        return PartnerMapping.model_validate(self.record.mapping)

    def property_mapping(self, property_code: str) -> PropertyMapping | None:
        """The channel's codes of a property it is granted and mapped for, else None."""
        if property_code not in self.record.grants:
            return None
        return self.mapping.for_property(property_code)

    def codes(self, property_code: str) -> ChannelCodes | None:
        """Hotel code and hub -> partner code lookups of one property (None: not mapped)."""
        entry = self.property_mapping(property_code)
        if entry is None:
            return None
        rooms, plans = entry.hub_to_partner_room_types, entry.hub_to_partner_rate_plans
        return ChannelCodes(entry.hotel_code, lambda c: rooms.get(c, ()), lambda c: plans.get(c, ()))

    @property
    def policy(self) -> AriPolicy:
        """How the channel takes ARI (its `outbound.ari` block, else the hub's defaults)."""
        return self.record.ari or AriPolicy()

    def shaping(self, secrets: Mapping[str, str]) -> Shaping:
        """How this channel wants its messages cut and wrapped (a SOAP channel: its WS-Security login)."""
        policy = self.policy
        token = self.username_token(secrets) if policy.envelope == "soap11" else None
        return policy.shaping(max_message_bytes=self.record.policy.max_message_bytes, username_token=token)

    def headers(self, secrets: Mapping[str, str]) -> dict[str, str]:
        """HTTP headers of every ARI call: content type and, with a login, HTTP Basic."""
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        login = self.record.outbound_login
        if self.policy.envelope == "soap11":
            headers["SOAPAction"] = '""'  # the login travels in the envelope (WS-Security)
        elif login is not None:
            token = base64.b64encode(f"{login.username}:{_secret(self.record, secrets)}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return headers

    def username_token(self, secrets: Mapping[str, str]) -> UsernameToken | None:
        """A WS-Security login for SOAP channels, from the partner's outbound credentials."""
        login = self.record.outbound_login
        if login is None:
            return None
        return UsernameToken(login.username, _secret(self.record, secrets), "PasswordText")


def _secret(record: PartnerRecord, secrets: Mapping[str, str]) -> str:
    login = record.outbound_login
    assert login is not None
    secret = secrets.get(login.password_env)
    if not secret:
        # this process's environment lacks it: not the channel's fault, so no pause; the cells wait
        raise TransientError(f"partner {record.id}: environment variable {login.password_env} is not set")
    return secret


def is_ari_channel(record: PartnerRecord) -> bool:
    """True for a partner that receives ARI: enabled, an OTA, an outbound URL and a mapping."""
    return bool(record.enabled and record.kind == PartnerKind.OTA and record.outbound_url and record.mapping)


def ari_channels(records: Iterable[PartnerRecord]) -> list[AriChannel]:
    """The partners of `records` that receive ARI."""
    return [AriChannel(r) for r in records if is_ari_channel(r)]


def _nights(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def changed_keys(event: AriChanged, entry: PropertyMapping) -> list[PendingKey]:
    """The channel cells one change marks, for a channel mapped as `entry` (its property's codes)."""
    if event.room_type not in entry.hub_to_partner_room_types:
        return []
    keys: list[PendingKey] = []
    plans = [event.rate_plan] if event.rate_plan is not None else list(entry.hub_to_partner_rate_plans)
    plans = [plan for plan in plans if plan in entry.hub_to_partner_rate_plans]
    for night in _nights(event.first_night, event.last_night):
        for kind in event.kinds:
            if kind is AriKind.AVAILABILITY:
                keys.append(PendingKey(event.property, event.room_type, "", night, kind.value))
            else:
                keys.extend(PendingKey(event.property, event.room_type, p, night, kind.value) for p in plans)
    return keys


def every_key(entry: PropertyMapping, first: date, last: date) -> list[PendingKey]:
    """Every cell of the room types and rate plans a channel maps, over first..last (a resync)."""
    keys: list[PendingKey] = []
    for room_type in entry.hub_to_partner_room_types:
        for night in _nights(first, last):
            keys.append(PendingKey(entry.property, room_type, "", night, AriKind.AVAILABILITY.value))
            for plan in entry.hub_to_partner_rate_plans:
                keys.extend(PendingKey(entry.property, room_type, plan, night, k.value) for k in RATE_KINDS)
    return keys


# What changes whenever a partner is created, changed, enabled or disabled (each bumps updated_at,
# a change of its properties too), read in one statement instead of every partner and mapping.
_FINGERPRINT = select(
    select(func.count()).select_from(partners).scalar_subquery(),
    select(func.max(partners.c.updated_at)).scalar_subquery(),
    select(func.count()).select_from(partners).where(partners.c.enabled.is_(True)).scalar_subquery(),
    select(func.count()).select_from(partner_grants).scalar_subquery(),
)


class _Book:
    """The ARI channels of each database as last read, with the fingerprint they were read at."""

    by_database: dict[str, tuple[tuple[object, ...], list[AriChannel]]] = {}


async def current_channels(conn: AsyncConnection) -> list[AriChannel]:
    """The partners that receive ARI, read again only when the partners changed (config apply).

    Each change's marking needs every channel's mapping: reading and validating every partner per
    delivery cost more than the marking itself. The check is one statement.
    """
    fingerprint = tuple((await conn.execute(_FINGERPRINT)).one())
    database = str(conn.engine.url)
    known = _Book.by_database.get(database)
    if known is not None and known[0] == fingerprint:
        return known[1]
    channels = ari_channels(await load_partners(conn))
    _Book.by_database[database] = (fingerprint, channels)
    return channels


async def mark_changed_cells(conn: AsyncConnection, changes: Iterable[AriChanged]) -> list[str]:
    """Mark the changes' cells pending for every channel that receives them; the channels marked.

    Channels mapping the same codes get the same keys: those are worked out once and written for
    all of them with one statement per chunk of keys (ari_pending.mark_for), urgent ones last, so
    a key marked urgent stays urgent until sent (the flag is or-ed).
    """
    changes = list(changes)
    groups: dict[tuple[object, ...], list[str]] = {}
    entries: dict[tuple[object, ...], list[tuple[AriChanged, PropertyMapping]]] = {}
    for channel in await current_channels(conn):
        signature: list[object] = []
        pairs = []
        for index, change in enumerate(changes):
            entry = channel.property_mapping(change.property)
            if entry is not None:
                signature.append((index, _codes_of(entry)))
                pairs.append((change, entry))
        if pairs:
            key = tuple(signature)
            groups.setdefault(key, []).append(channel.id)
            entries[key] = pairs
    marked: set[str] = set()
    for urgent in (False, True):
        for key, channel_ids in groups.items():
            keys = {
                k
                for change, entry in entries[key]
                if change.urgent is urgent
                for k in changed_keys(change, entry)
            }
            if keys:
                await ari_pending.mark_for(conn, channel_ids, keys, urgent=urgent)
                marked.update(channel_ids)
    return sorted(marked)


def _codes_of(entry: PropertyMapping) -> tuple[object, ...]:
    """What `changed_keys` reads of a mapping: two mappings equal here mark the same keys."""
    return (
        entry.property,
        frozenset(entry.hub_to_partner_room_types),
        frozenset(entry.hub_to_partner_rate_plans),
    )
