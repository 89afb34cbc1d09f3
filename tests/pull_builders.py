"""Builders for booking-pull tests: a configuration whose otaone is a pull channel, reservations it holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from connectors.ota.codec import write
from hub.demo.messages import GuestSpec, ReservationSpec, ResStatus, StaySpec, hotel_res_notif

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "examples" / "demo.yaml"
PARTNER = "otaone"
HOTEL = "ALP-4711"
PROPERTY = "ALPINA"
# The hub's login at the simulated channel; the password is in this variable of the hub's environment.
HUB_LOGIN = "hub"
HUB_PASSWORD = "pull-secret"
PASSWORD_ENV = "HUB_TEST_OTAONE_OUT_PASSWORD"
ARRIVAL = date(2031, 3, 10)
T0 = datetime(2030, 12, 1, 9, 0, tzinfo=UTC)
GUEST = GuestSpec("Anna", "Huber", "anna@example.org", "+43 1 234", "de", "Ring 1", "Wien", "1010", "AT")


def pull_config(
    tmp_path: Path,
    url: str,
    *,
    interval_s: float = 1,
    alarm_after_s: float = 900,
    timeout_s: float = 5,
    envelope: str = "plain",
) -> Path:
    """The demo configuration with otaone pulled from `url` (its /ota door); written next to the test."""
    data: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    otaone = next(p for p in data["partners"] if p["id"] == PARTNER)
    otaone["mapping"] = str(DEMO_CONFIG.parent / otaone["mapping"])
    otaone["outbound"] = {
        "url": f"{url}/ota",
        "credentials": {"username": HUB_LOGIN, "password_env": PASSWORD_ENV},
        "policy": {"timeout_s": timeout_s, "retry": {"in_process_attempts": 1}},
        "pull": {"interval_s": interval_s, "alarm_after_s": alarm_after_s, "envelope": envelope},
    }
    data["partners"] = [otaone]
    path = tmp_path / "pull.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def held(
    reservation_id: str,
    status: ResStatus = "Commit",
    *,
    room: str = "DZSTD",
    revision: int = 0,
    nights: int = 2,
) -> bytes:
    """A reservation as the channel holds it (an OTA_HotelResNotifRQ holding one HotelReservation)."""
    at = T0 + timedelta(minutes=revision)
    stay = StaySpec(room, "FLEX1", ARRIVAL, ARRIVAL + timedelta(days=nights), 2, (), Decimal("180.00"))
    spec = ReservationSpec(reservation_id, "OTA One", HOTEL, "EUR", (stay,), GUEST, T0, at, card=True)
    return write(hotel_res_notif(spec, status, echo_token=f"{reservation_id}-{revision}"))  # type: ignore[arg-type]


def acks_by_reservation(channel: Any) -> dict[str, list[tuple[str | None, str | None]]]:
    """The channel's acknowledgements per reservation: (confirmation, error code) in arrival order."""
    found: dict[str, list[tuple[str | None, str | None]]] = {}
    for ack in channel.acks:
        found.setdefault(ack.reservation_id, []).append((ack.confirmation, ack.error_code))
    return found
