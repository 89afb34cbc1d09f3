"""The demo configuration is clean, complete, and becomes the PMS core's property commands."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from config_files import DEMO_CONFIG, DEMO_ENV

from canonical.property import DefineProperty
from hub.config import HubConfig, MissingSecretError, PartnerKind, check_config, load_config


@pytest.fixture
def demo() -> HubConfig:
    """The demo configuration as the hub loads it."""
    return load_config(DEMO_CONFIG, environ=DEMO_ENV)


def test_given_demo_config_and_its_secrets_when_checked_then_no_problems() -> None:
    assert check_config(DEMO_CONFIG, environ=DEMO_ENV) == []


def test_given_demo_config_when_loaded_from_elsewhere_then_mappings_resolve_next_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    config = load_config(DEMO_CONFIG, environ=DEMO_ENV)

    assert [p.mapping for p in config.partners] == [
        DEMO_CONFIG.parent / "mappings" / "ota" / "otaone.yaml",
        DEMO_CONFIG.parent / "mappings" / "ota" / "otatwo.yaml",
        None,  # the finance ERP reads the hub's own codes
    ]


def test_given_demo_config_when_loaded_then_an_alpine_hotel_with_two_ota_partners(
    demo: HubConfig,
) -> None:
    (hotel,) = demo.properties
    assert (hotel.timezone, hotel.currency) == ("Europe/Rome", "EUR")
    assert len(hotel.room_types) >= 3
    assert sum(len(rt.rooms) for rt in hotel.room_types) >= 15
    assert {rp.code for rp in hotel.rate_plans} == {"BAR", "NREF"}
    assert [(p.id, p.kind) for p in demo.partners] == [
        ("otaone", PartnerKind.OTA),
        ("otatwo", PartnerKind.OTA),
        ("erp", PartnerKind.ERP),
    ]
    assert all(p.outbound.url is not None for p in demo.partners if p.kind is PartnerKind.OTA)


def test_given_demo_partners_when_their_mappings_load_then_codes_differ_from_hub_and_each_other(
    demo: HubConfig,
) -> None:
    hub_codes = {rt.code for rt in demo.properties[0].room_types} | {
        rp.code for rp in demo.properties[0].rate_plans
    }
    mappings = demo.load_mappings()
    assert list(mappings) == ["otaone", "otatwo"]
    partner_codes = []
    for mapping in mappings.values():
        entry = mapping.for_property("ALPINA")
        assert entry is not None
        assert set(entry.room_types.values()) | set(entry.rate_plans.values()) == hub_codes
        partner_codes.append(set(entry.room_types) | set(entry.rate_plans))

    one, two = partner_codes
    assert not one & hub_codes
    assert not two & hub_codes
    assert not one & two


def test_given_demo_config_when_converted_then_one_define_property_command_per_property(
    demo: HubConfig,
) -> None:
    (command,) = demo.property_commands()

    assert isinstance(command, DefineProperty)
    assert (command.code, command.timezone, command.currency) == ("ALPINA", "Europe/Rome", "EUR")
    assert [rt.code for rt in command.room_types] == ["DBL", "DSUP", "FAM", "JSU"]
    assert command.room_types[0].rooms[:2] == ("101", "102")
    assert command.room_types[3].max_occupancy == 4
    bar = next(rp for rp in command.rate_plans if rp.code == "BAR")
    assert bar.room_types == ("DBL", "DSUP", "FAM", "JSU")
    assert bar.default_rates["DSUP"] == Decimal("230.00")
    assert all(isinstance(rate, Decimal) for rate in bar.default_rates.values())


def test_given_demo_partner_when_its_password_is_read_then_it_comes_from_the_named_variable(
    demo: HubConfig,
) -> None:
    otaone = demo.find_partner("otaone")
    assert otaone is not None

    assert otaone.inbound_password(DEMO_ENV).get_secret_value() == "demo-secret-one"
    with pytest.raises(MissingSecretError, match="HUB_PARTNER_OTAONE_PASSWORD"):
        otaone.inbound_password({})
