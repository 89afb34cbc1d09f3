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

from canonical.ari import AriChanged, AriKind
from canonical.errors import TransientError
from connectors.ota.ari_shaping import ChannelCodes, Shaping
from connectors.ota.codec import UsernameToken
from mappings.model import PartnerMapping, PropertyMapping
from routes.ari_pending import PendingKey
from routes.ari_policy import AriPolicy
from routes.partners import PartnerKind, PartnerRecord

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
