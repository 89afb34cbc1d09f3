"""Fixtures of the OTA connector unit tests: a partner's code map, a vault, a translate shortcut."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ota_unit_builders import NOW

from canonical.booking import BookingReceived
from connectors.ota.codec import OtaRequest, read_request
from connectors.ota.translate import PartnerCodes, PropertyCodes, translate_booking
from connectors.payments.vault import LocalCardVault, generate_key

MAX_BYTES = 1024 * 1024


@pytest.fixture
def codes() -> PartnerCodes:
    """One partner hotel H1 -> hub property P1 (EUR), DBL -> DOUBLE, BAR -> FLEX."""
    return PartnerCodes(
        hotels={
            "H1": PropertyCodes(
                hub_property="P1",
                currency="EUR",
                room_types={"DBL": "DOUBLE", "SGL": "SINGLE"},
                rate_plans={"BAR": "FLEX"},
            )
        }
    )


@pytest.fixture
def vault() -> LocalCardVault:
    """A local card vault with a fresh key."""
    return LocalCardVault(generate_key())


@pytest.fixture
def parse() -> Callable[[bytes], OtaRequest]:
    """Parse a body with the default 1 MiB cap."""
    return lambda body: read_request(body, max_bytes=MAX_BYTES)


@pytest.fixture
def translate(codes: PartnerCodes) -> Callable[..., list[BookingReceived]]:
    """Parse and translate a body for partner "p1"; confirmations are "HH-<partner id>"."""

    def run(body: bytes, partner_codes: PartnerCodes | None = None) -> list[BookingReceived]:
        req = read_request(body, max_bytes=MAX_BYTES)
        return translate_booking(
            req,
            partner_codes or codes,
            partner_id="p1",
            confirmation_for=lambda partner_res_id: f"HH-{partner_res_id}",
            now=NOW,
        )

    return run
