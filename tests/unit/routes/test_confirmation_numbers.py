"""The hub's confirmation number for a partner reservation: stable across pushes and releases."""

from __future__ import annotations

import pytest

from routes.ingress import confirmation_for


# Written down once: a partner that pushes the same reservation again, even after an upgrade of the
# hub, must be answered with the confirmation it was given the first time.
@pytest.mark.parametrize(
    ("partner_id", "reservation_id", "confirmation"),
    [
        ("otaone", "R-1001", "HH3OXT2YHR6G"),
        ("benchota", "BENCHOTA-17784483-0000", "HHUPCRQE4EGI"),
        ("x", "ä €", "HHNDRPGYSDWS"),
    ],
)
def test_given_a_partner_reservation_when_numbered_then_always_the_same_confirmation(
    partner_id: str, reservation_id: str, confirmation: str
) -> None:
    assert confirmation_for(partner_id, reservation_id) == confirmation


def test_given_two_partners_with_the_same_reservation_id_when_numbered_then_different_confirmations() -> None:
    assert confirmation_for("otaone", "R-1") != confirmation_for("otatwo", "R-1")
