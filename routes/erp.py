"""The finance ERP pull: which closed days a caller may read, and the refusal of a day still open.

An ERP partner (kind `erp`) reads only the properties it is granted; other partner kinds read no
finance at all. A pull names one day or a range of at most MAX_RANGE_DAYS; it is answered only
when every day of it is closed, since an open day's figures still move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.revenue import DayClosed
from connectors.erp.settings import MAX_RANGE_DAYS
from pms_core.day_closes import closed_days
from routes.partners import PartnerKind, PartnerRecord


class InvalidRange(ValueError):
    """The days asked for do not make one range the pull serves (the message says why)."""


class NotAnErpPartner(PermissionError):
    """A partner of another kind asked for finance."""


class PropertyNotGranted(PermissionError):
    """An ERP partner asked for a property it is not granted."""


class OpenDays(LookupError):
    """Some days of the range are not closed yet: their figures may still change."""

    def __init__(self, property_code: str, days: list[date]) -> None:
        shown = ", ".join(day.isoformat() for day in days[:10]) + (" …" if len(days) > 10 else "")
        count = f"{len(days)} days are" if len(days) > 1 else "the day is"
        super().__init__(f"property {property_code}: {count} not closed yet ({shown})")
        self.property_code = property_code
        self.days = days


@dataclass(frozen=True)
class DayRange:
    """The business dates of one pull, both ends included."""

    first: date
    last: date

    def dates(self) -> list[date]:
        """Every date of the range, oldest first."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def day_range(day: date | None, first: date | None, last: date | None) -> DayRange:
    """The range a pull asks for: `date`, or `from` and `to` (at most MAX_RANGE_DAYS); InvalidRange."""
    if day is not None:
        if first is not None or last is not None:
            raise InvalidRange("give either date or from and to, not both")
        return DayRange(day, day)
    if first is None or last is None:
        raise InvalidRange("give date, or both from and to")
    if last < first:
        raise InvalidRange("`to` is before `from`")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRange(f"a pull covers at most {MAX_RANGE_DAYS} days; split the range")
    return DayRange(first, last)


def check_grant(partner: PartnerRecord, property_code: str) -> None:
    """Let an ERP partner through to a property it is granted; NotAnErpPartner or PropertyNotGranted."""
    if partner.kind != PartnerKind.ERP:
        raise NotAnErpPartner(
            f"partner {partner.id} is a {partner.kind} partner: finance is for ERP partners"
        )
    if property_code not in partner.grants:
        raise PropertyNotGranted(f"partner {partner.id} is not granted property {property_code}")


async def read_closed_days(conn: AsyncConnection, property_code: str, days: DayRange) -> list[DayClosed]:
    """Every day of the range as the night audit froze it; OpenDays naming those not closed,
    UnknownProperty."""
    found = await closed_days(conn, property_code, days.first, days.last)
    closed = {day.business_date for day in found}
    still_open = [day for day in days.dates() if day not in closed]
    if still_open:
        raise OpenDays(property_code, still_open)
    return found
