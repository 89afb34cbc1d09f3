"""The demo's script: which reservations each partner makes, changes, cancels and pushes again.

Planned up front from a seed and kept within the hotel's rooms, so the demo can say exactly what
the hub must end up holding (bookings, statuses and sold rooms per night) and check it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from hub.demo.messages import ReservationSpec
from hub.demo.partners import SimulatedPartner, StayRequest

Step = Literal["commit", "modify", "cancel", "repush", "unmapped"]
MAX_NIGHTS = 5


@dataclass
class Reservation:
    """One reservation the demo tracks: its latest revision and what the hub answered."""

    partner_id: str
    spec: ReservationSpec
    stays: list[StayRequest]
    soap: bool
    first_message: bytes = b""
    references: tuple[str, ...] = ()
    cancelled: bool = False

    @property
    def reservation_id(self) -> str:
        """The partner's reservation id."""
        return self.spec.reservation_id


@dataclass(frozen=True)
class Push:
    """One message a partner will push, and what the hub should answer."""

    step: Step
    reservation: Reservation
    message: bytes
    expect_error: str | None = None


@dataclass
class RoomBook:
    """Rooms taken per (room type, night) while planning, so nothing is overbooked."""

    physical: Mapping[str, int]
    taken: Counter[tuple[str, date]] = field(default_factory=Counter)

    def fits(self, stays: Iterable[StayRequest]) -> bool:
        """True when every night of these stays still has a room of its type."""
        wanted = Counter(
            (s.room_type, s.arrival + timedelta(days=i))
            for s in stays
            for i in range((s.departure - s.arrival).days)
        )
        return all(self.taken[key] + count <= self.physical[key[0]] for key, count in wanted.items())

    def take(self, stays: Iterable[StayRequest], sign: int = 1) -> None:
        """Take (or, with sign -1, give back) the rooms of these stays."""
        for s in stays:
            for i in range((s.departure - s.arrival).days):
                self.taken[(s.room_type, s.arrival + timedelta(days=i))] += sign


@dataclass(frozen=True)
class Hotel:
    """What the demo knows of the hotel: room types with rooms and guests, rate plans, the window."""

    physical: Mapping[str, int]
    max_occupancy: Mapping[str, int]
    rate_plans: tuple[str, ...]
    first_night: date
    nights: int

    @property
    def dates(self) -> list[date]:
        """Every night of the demo's window."""
        return [self.first_night + timedelta(days=i) for i in range(self.nights)]


class Planner:
    """Invents stays that fit the hotel, from one seeded generator."""

    def __init__(self, hotel: Hotel, rng: random.Random) -> None:
        self.hotel = hotel
        self.rng = rng
        self.book = RoomBook(hotel.physical)

    def _one_stay(self, room_type: str | None = None) -> StayRequest:
        hotel, rng = self.hotel, self.rng
        room = room_type or rng.choices(list(hotel.physical), weights=list(hotel.physical.values()))[0]
        arrival = hotel.first_night + timedelta(days=rng.randrange(hotel.nights - 1))
        last = hotel.first_night + timedelta(days=hotel.nights)
        departure = min(arrival + timedelta(days=rng.randint(1, MAX_NIGHTS)), last)
        capacity = hotel.max_occupancy[room]
        adults = rng.randint(1, min(2, capacity))
        children = rng.randint(0, capacity - adults) if rng.random() < 0.3 else 0
        return StayRequest(
            room_type=room,
            rate_plan=rng.choice(hotel.rate_plans),
            arrival=arrival,
            departure=departure,
            adults=adults,
            child_ages=tuple(sorted(rng.randint(2, 15) for _ in range(children))),
        )

    def stays(self, rooms: int) -> list[StayRequest] | None:
        """`rooms` stays that fit what is still free (taken at once), or None after many tries."""
        for _ in range(200):
            stays = [self._one_stay()]
            # a multi-room reservation books its rooms for the same dates, as families do
            for _ in range(rooms - 1):
                extra = self._one_stay()
                stays.append(
                    StayRequest(
                        extra.room_type,
                        stays[0].rate_plan,
                        stays[0].arrival,
                        stays[0].departure,
                        extra.adults,
                        extra.child_ages,
                    )
                )
            if self.book.fits(stays):
                self.book.take(stays)
                return stays
        return None

    def change(self, stays: list[StayRequest]) -> list[StayRequest] | None:
        """The same number of stays moved by a night or lengthened, if that still fits (taken at once).

        The old rooms stay taken too, until the caller releases them after planning every change:
        the hub may apply changes in any order, and must never have to overbook.
        """
        for _ in range(50):
            shift = timedelta(days=self.rng.choice((-1, 1)))
            longer = timedelta(days=self.rng.choice((0, 1)))
            moved = [
                StayRequest(
                    s.room_type,
                    s.rate_plan,
                    s.arrival + shift,
                    s.departure + shift + longer,
                    s.adults,
                    s.child_ages,
                )
                for s in stays
            ]
            inside = all(
                m.arrival >= self.hotel.first_night
                and m.departure <= self.hotel.first_night + timedelta(days=self.hotel.nights)
                for m in moved
            )
            if inside and self.book.fits(moved):
                self.book.take(moved)
                return moved
        return None

    def release(self, stays: list[StayRequest]) -> None:
        """Give back rooms: of a cancelled reservation, or those a change moved away from."""
        self.book.take(stays, -1)


def revision_time(created: datetime, revision: int) -> datetime:
    """When the partner wrote a revision: an hour after the one before."""
    return created + timedelta(hours=revision)


@dataclass
class Script:
    """Everything one partner pushes, phase by phase, and the reservations it tracks."""

    partner: SimulatedPartner
    reservations: list[Reservation]
    phases: list[list[Push]]

    @property
    def pushes(self) -> int:
        """How many messages the partner will push."""
        return sum(len(phase) for phase in self.phases)


def unknown_room_code(codes: Iterable[str]) -> str:
    """A room code in the partner's style that its mapping does not have."""
    known = sorted(codes)
    if all(code.isdigit() for code in known):
        return str(int(known[-1]) + 95)
    return "DZDLX"


def _commits(partner: SimulatedPartner, planner: Planner, count: int, now: datetime) -> Script:
    rng = planner.rng
    script = Script(partner, [], [[]])
    for number in range(1, count + 1):
        stays = planner.stays(2 if rng.random() < 0.15 else 1)
        if stays is None:
            break  # the hotel is full: plan fewer
        created = now - timedelta(hours=rng.randint(2, 48), minutes=rng.randrange(60))
        spec = partner.reservation(rng, number, stays, at=created)
        res = Reservation(partner.partner_id, spec, stays, soap=rng.random() < 0.4)
        res.first_message = partner.notif(spec, "Commit", soap=res.soap)
        script.reservations.append(res)
        script.phases[0].append(Push("commit", res, res.first_message))
    return script


def _modifications(script: Script, planner: Planner) -> list[list[StayRequest]]:
    """Plan changes to a quarter of the reservations; return the stays they move away from."""
    rng, partner = planner.rng, script.partner
    changes: list[Push] = []
    moved_from: list[list[StayRequest]] = []
    for res in rng.sample(script.reservations, k=len(script.reservations) // 4):
        moved = planner.change(res.stays)
        if moved is None:
            continue
        moved_from.append(res.stays)
        res.stays = moved
        res.spec = res.spec.revised(
            tuple(partner.stay(rng, s) for s in moved), revision_time(res.spec.created_at, 1)
        )
        changes.append(Push("modify", res, partner.notif(res.spec, "Modify", soap=res.soap)))
    script.phases.append(changes)
    return moved_from


def _cancellations(script: Script, planner: Planner) -> None:
    rng, partner = planner.rng, script.partner
    picked = rng.sample(script.reservations, k=max(1, len(script.reservations) // 6))
    for index, res in enumerate(picked):
        planner.release(res.stays)
        res.cancelled = True
        res.spec = res.spec.revised(res.spec.stays, revision_time(res.spec.created_at, 2))
        message = (
            partner.cancel(res.spec, soap=res.soap)
            if index % 2 == 0
            else partner.notif(res.spec, "Cancel", soap=res.soap)
        )
        script.phases[-1].append(Push("cancel", res, message))


def _unmapped(script: Script, planner: Planner, now: datetime) -> None:
    stays = planner.stays(1)
    if stays is None:
        return
    planner.release(stays)  # refused at the door: it never takes a room
    partner = script.partner
    spec = partner.reservation(planner.rng, len(script.reservations) + 1, stays, at=now)
    bad_room = unknown_room_code(partner.room_codes.values())
    spec = spec.revised((partner.stay(planner.rng, stays[0], room_code=bad_room),), now)
    bad = Reservation(partner.partner_id, spec, stays, soap=False)
    script.phases.append([Push("unmapped", bad, partner.notif(spec, "Commit"), expect_error="402")])


def write_scripts(
    partners: Sequence[SimulatedPartner], planner: Planner, count: int, *, now: datetime
) -> list[Script]:
    """Every partner's pushes, phase by phase: new reservations, changes and cancellations, re-pushes,
    and from the last partner one reservation with a room code its mapping lacks.

    Planned phase by phase across all partners, because partners push at the same time: a room
    is only planned again once no push that might still be applied before it can hold it.
    """
    scripts = [_commits(partner, planner, count, now) for partner in partners]
    moved_from = [stays for script in scripts for stays in _modifications(script, planner)]
    for stays in moved_from:
        planner.release(stays)
    for script in scripts:
        _cancellations(script, planner)
    for script in scripts:
        picked = planner.rng.sample(script.reservations, k=min(3, len(script.reservations)))
        script.phases.append([Push("repush", res, res.first_message) for res in picked])
    if scripts:
        _unmapped(scripts[-1], planner, now)
    return scripts
