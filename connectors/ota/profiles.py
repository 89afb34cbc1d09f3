"""Guests, guest counts and comments of an OTA reservation, read into canonical values."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from canonical.booking import Guest, GuestCount
from connectors.ota.elements import Children
from connectors.ota.errors import InvalidField
from connectors.ota.fields import element_text, read_count, text_of

# OpenTravel Age Qualifying Codes (AQC) that mean a child: under 2/12/17, infant, child, teenager.
_CHILD_CODES = frozenset({"3", "4", "5", "7", "8", "9"})
_ADULT_AGE = 18
_MAX_PER_ROOM = 99


def guest_count(stay: Children) -> GuestCount:
    """Adults and children of a RoomStay from GuestCount@AgeQualifyingCode|@Age/@Count.

    Age decides when present (under 18 is a child); else the code (10 adult, 8 child, ...);
    a count with neither is adults (AlpineBits). Count="0" lines are ignored.
    """
    adults = 0
    children: list[int | None] = []
    for line in stay.under("GuestCounts", "GuestCount"):
        line_adults, line_children = _guest_line(
            line.get("Count"), line.get("Age"), line.get("AgeQualifyingCode")
        )
        adults += line_adults
        children.extend(line_children)
    if adults > _MAX_PER_ROOM or len(children) > _MAX_PER_ROOM:
        raise InvalidField("too many guests in one room", tag="GuestCount")
    return _guest_count(adults, len(children), tuple(age for age in children if age is not None))


@lru_cache(maxsize=1024)
def _guest_line(
    count_written: str | None, age_written: str | None, code_written: str | None
) -> tuple[int, tuple[int | None, ...]]:
    """(adults, children's ages) of one GuestCount line as sent; the same lines recur in most pushes."""
    count = read_count(count_written, field="Count", default=1)
    if count == 0:
        return 0, ()
    if count > _MAX_PER_ROOM:
        raise InvalidField(f"GuestCount Count={count} is out of range", tag="Count")
    age_text = text_of(age_written)
    age = read_count(age_text, field="Age") if age_text is not None else None
    code = text_of(code_written)
    is_child = age < _ADULT_AGE if age is not None else code in _CHILD_CODES
    return (0, (age,) * count) if is_child else (count, ())


@lru_cache(maxsize=1024)
def _guest_count(adults: int, children: int, ages: tuple[int, ...]) -> GuestCount:
    # an immutable value that recurs in nearly every booking: built once, shared
    return GuestCount(adults=adults, children=children, child_ages=ages)


_PERSON_NAME = ("GivenName", "Surname", "NamePrefix")
_ADDRESS = ("AddressLine", "CityName", "PostalCode", "CountryName")


def _firsts(element: etree._Element | None, prefix: str, names: tuple[str, ...]) -> dict[str, etree._Element]:
    """The first child of each of `names` (tags in the `prefix` namespace), in one pass."""
    found: dict[str, etree._Element] = {}
    if element is None:
        return found
    wanted = {prefix + name: name for name in names}
    for child in element:
        name = wanted.get(child.tag)
        if name is not None and name not in found:
            found[name] = child
    return found


def _customer_guest(element: etree._Element, ns: str | None, *, primary: bool) -> Guest:
    prefix = "" if ns is None else f"{{{ns}}}"
    person = address = email = None
    phone = None
    person_tag, address_tag, email_tag, phone_tag = (
        prefix + "PersonName",
        prefix + "Address",
        prefix + "Email",
        prefix + "Telephone",
    )
    for child in element:
        tag = child.tag
        if tag == person_tag:
            person = child if person is None else person
        elif tag == address_tag:
            address = child if address is None else address
        elif tag == email_tag:
            email = child if email is None else email
        elif tag == phone_tag and phone is None:
            phone = text_of(child.get("PhoneNumber"))
    name = _firsts(person, prefix, _PERSON_NAME)
    place = _firsts(address, prefix, _ADDRESS)
    country = place.get("CountryName")
    country_code = text_of(country.get("Code")) if country is not None else None
    if country_code is None and country is not None:
        text = element_text(country)
        country_code = text.upper() if text and len(text) == 2 and text.isalpha() else None
    return Guest(
        given_name=element_text(name.get("GivenName")),
        surname=element_text(name.get("Surname")),
        name_prefix=element_text(name.get("NamePrefix")),
        email=element_text(email),
        phone=phone,
        address_line=element_text(place.get("AddressLine")),
        city=element_text(place.get("CityName")),
        postal_code=element_text(place.get("PostalCode")),
        country_code=country_code,
        language=text_of(element.get("Language")),
        primary=primary,
    )


def guests(reservation: Children) -> tuple[Guest, ...]:
    """Every ResGuest with a Customer profile; the PrimaryIndicator one (else the first) is primary."""
    ns = reservation.namespace
    found: list[tuple[etree._Element, bool]] = []
    for res_guest in reservation.under("ResGuests", "ResGuest"):
        customer = Children(res_guest, ns).first_under("Profiles", "ProfileInfo", "Profile", "Customer")
        if customer is not None:
            flagged = (text_of(res_guest.get("PrimaryIndicator")) or "").lower() in ("true", "1")
            found.append((customer, flagged))
    if found and not any(flagged for _, flagged in found):
        found[0] = (found[0][0], True)
    return tuple(_customer_guest(customer, ns, primary=flagged) for customer, flagged in found)


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def comments(parent: Children) -> tuple[str, ...]:
    """Comments/Comment (Text or ListItems, prefixed by its Name) and SpecialRequests of an element."""
    found: list[str] = []
    ns = parent.namespace
    for element in parent.under("Comments", "Comment"):
        comment = Children(element, ns)
        parts = [element_text(text) for text in comment.all("Text")]
        items = [element_text(item) for item in comment.all("ListItem")]
        body = _tidy("\n".join(part for part in parts if part))
        listed = ", ".join(item for item in items if item)
        content = "\n".join(piece for piece in (body, listed) if piece)
        if not content:
            continue
        label = text_of(element.get("Name"))
        found.append(f"{label}: {content}" if label else content)
    for request in parent.under("SpecialRequests", "SpecialRequest"):
        texts = [element_text(text) for text in Children(request, ns).all("Text")]
        content = _tidy("\n".join(text for text in texts if text))
        if content:
            label = text_of(request.get("Name"))
            found.append(f"{label}: {content}" if label else content)
    return tuple(found)
