"""What a channel receives, as `config apply` compares it: codes, grants, restriction types and
availability rules count; how messages are cut or wrapped does not. And `complete_sets` needs rooms
left in their own requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.ota.ari_codec import RestrictionType
from hub.config_resync import received
from mappings.loader import load_mapping
from routes.ari_policy import AriPolicy, AvailabilityRules
from routes.partners import PartnerRecord
from routes.policy import DeliveryPolicy

MAPPING = Path(__file__).resolve().parents[3] / "examples" / "mappings" / "ota" / "otaone.yaml"


def channel(**changes: Any) -> PartnerRecord:
    """OTA One as an ARI channel of ALPINA, with its demo mapping."""
    record = PartnerRecord(
        id="otaone",
        kind="ota",
        name="OTA One",
        username="otaone",
        password_hash=None,
        enabled=True,
        grants=frozenset({"ALPINA"}),
        outbound_url="https://ari.otaone.example/ota",
        policy=DeliveryPolicy(),
        mapping=load_mapping(MAPPING).model_dump(mode="json"),
    )
    return replace(record, **changes)


def renamed(old: str, new: str) -> dict[str, Any]:
    """The demo mapping with one partner room code renamed."""
    data = load_mapping(MAPPING).model_dump(mode="json")
    rooms = data["properties"][0]["room_types"]
    rooms[new] = rooms.pop(old)
    return data


def dropped_plan(code: str) -> dict[str, Any]:
    """The demo mapping without one partner rate plan code."""
    data = load_mapping(MAPPING).model_dump(mode="json")
    del data["properties"][0]["rate_plans"][code]
    return data


CHANGES: dict[str, Callable[[], PartnerRecord]] = {
    "room code renamed": lambda: channel(mapping=renamed("DZSTD", "DZ-STD")),
    "rate plan unmapped": lambda: channel(mapping=dropped_plan("NRF1")),
    "restriction types": lambda: channel(ari=AriPolicy(restrictions=frozenset({RestrictionType.CLOSED}))),
    "availability rules": lambda: channel(ari=AriPolicy(availability=AvailabilityRules(hold_back=1))),
    "property no longer granted": lambda: channel(grants=frozenset({"OTHER"})),
}
SAME: dict[str, Callable[[], PartnerRecord]] = {
    "message size": lambda: channel(ari=AriPolicy(max_cells=100)),
    "envelope": lambda: channel(ari=AriPolicy(envelope="soap11")),
    "complete sets taken": lambda: channel(ari=AriPolicy(complete_sets=True)),
    "defaults written out": lambda: channel(ari=AriPolicy()),
    "name": lambda: channel(name="OTA One (renamed)"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_given_a_change_of_what_a_channel_is_sent_when_compared_then_it_differs(change: str) -> None:
    assert received(CHANGES[change]()) != received(channel())


@pytest.mark.parametrize("change", list(SAME))
def test_given_a_change_of_how_it_is_sent_when_compared_then_it_is_the_same(change: str) -> None:
    assert received(SAME[change]()) == received(channel())


def test_given_a_partner_that_receives_no_ari_when_compared_then_nothing() -> None:
    assert received(channel(outbound_url=None)) is None
    assert received(channel(enabled=False)) is None


def test_given_complete_sets_with_rooms_left_among_restrictions_when_read_then_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="complete_sets needs separate_requests"):
        AriPolicy(complete_sets=True, separate_requests=False)
