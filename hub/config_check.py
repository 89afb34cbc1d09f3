"""The rules a configuration must follow beyond its shape: values, cross-references, mapping files.

The models in ``hub.config`` call the value and duplicate rules while validating; ``check_loaded``
runs the rules that need more than the file itself (mapping files, the environment).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from connectors.ota.ari_codec import ALL_RESTRICTIONS
from mappings.errors import MappingFileError
from mappings.loader import parse_mapping, read_mapping_document
from mappings.source import FileProblem, Loc, YamlDocument

if TYPE_CHECKING:
    from hub.config import HubConfig, PartnerConfig, PropertyConfig, RatePlanConfig, RoomTypeConfig

Conflict = tuple[Loc, str]  # a key path relative to the section being validated, and why

# Active ISO-4217 codes a property can price in (funds, metals and test codes left out).
_ISO_4217_TEXT = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU
UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
"""
_ISO_4217 = frozenset(_ISO_4217_TEXT.split())

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def known_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise ValueError with a suggestion."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        available = zoneinfo.available_timezones()
        if not available:
            raise ValueError(
                f"cannot check time zone {name!r}: no time zone database (install tzdata)"
            ) from None
        raise ValueError(f"unknown IANA time zone {name!r}{did_you_mean(name, sorted(available))}") from None
    return name


def known_currency(code: str) -> str:
    """Return ``code`` if it is an active ISO-4217 currency, else raise ValueError."""
    if code not in _ISO_4217:
        raise ValueError(f"{code!r} is not an ISO-4217 currency code")
    return code


def did_you_mean(code: str, known: Sequence[str]) -> str:
    """A suffix naming the closest known code, or nothing."""
    hint = get_close_matches(code, known, n=1, cutoff=0.6)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def duplicates(values: Sequence[str], field: str, what: str, suffix: Loc = ()) -> list[Conflict]:
    """Every repeat of a value in the list ``field``, at ``(index, *suffix)``, naming the first one."""
    first: dict[str, int] = {}
    found: list[Conflict] = []
    for index, value in enumerate(values):
        if value in first:
            reason = f"duplicate {what} {value!r} (first at {field}[{first[value]}])"
            found.append(((index, *suffix), reason))
        first.setdefault(value, index)
    return found


def duplicate_rooms(room_types: Sequence[RoomTypeConfig]) -> list[Conflict]:
    """Room numbers listed twice anywhere in one property, at ``(type index, "rooms", index)``."""
    first: dict[str, str] = {}
    found: list[Conflict] = []
    for t, room_type in enumerate(room_types):
        for r, room in enumerate(room_type.rooms):
            if room in first:
                reason = f"room {room!r} is already listed in {first[room]}"
                found.append(((t, "rooms", r), reason))
            else:
                first[room] = f"room_types[{t}] ({room_type.code})"
    return found


def room_type_conflicts(room_types: Sequence[RoomTypeConfig]) -> list[Conflict]:
    """Room type codes and room numbers used twice in one property."""
    codes = [rt.code for rt in room_types]
    return duplicates(codes, "room_types", "room type code", ("code",)) + duplicate_rooms(room_types)


def rate_plan_conflicts(
    rate_plans: Sequence[RatePlanConfig], room_types: Sequence[RoomTypeConfig] | None
) -> list[Conflict]:
    """Rate plan codes used twice, unknown room types, rates for room types a plan does not sell.

    ``room_types`` is None when they failed validation themselves: then only duplicates are checked.
    """
    found = duplicates([rp.code for rp in rate_plans], "rate_plans", "rate plan code", ("code",))
    if room_types is None:
        return found
    known = [rt.code for rt in room_types]
    for p, plan in enumerate(rate_plans):
        unknown: list[Conflict] = [
            ((p, "room_types", r), f"unknown room type {code!r}{did_you_mean(code, known)}")
            for r, code in enumerate(plan.room_types)
            if code not in known
        ]
        # A misspelt room type also orphans its rate; report the cause, not the echo.
        found += unknown or [
            (
                (p, "default_rates", code),
                f"default rate for room type {code!r}, which this rate plan does not sell",
            )
            for code in plan.default_rates
            if code not in plan.room_types
        ]
    return found


def partner_conflicts(
    partners: Sequence[PartnerConfig], properties: Sequence[PropertyConfig] | None
) -> list[Conflict]:
    """Partner ids or logins used twice, and grants of unknown properties (if those are valid)."""
    found = duplicates([p.id for p in partners], "partners", "partner id", ("id",))
    users = [p.credentials.username for p in partners]
    found += [
        (loc, f"{reason}: each partner needs its own login")
        for loc, reason in duplicates(users, "partners", "username", ("credentials", "username"))
    ]
    if properties is None:
        return found
    known = [p.code for p in properties]
    for i, partner in enumerate(partners):
        found += [
            ((i, "properties", g), f"unknown property {code!r}{did_you_mean(code, known)}")
            for g, code in enumerate(partner.properties)
            if code not in known
        ]
    return found


def pull_conflicts(partner: PartnerConfig) -> list[Conflict]:
    """A pulled partner must be an OTA channel with a URL to poll."""
    if partner.outbound.pull is None:
        return []
    if partner.kind.value != "ota":
        reason = f"booking pull is for OTA channels, not a {partner.kind.value} partner"
        return [(("outbound", "pull"), reason)]
    if partner.outbound.url is None:
        return [(("outbound", "url"), "a pulled partner needs the URL its OTA_ReadRQ is sent to")]
    return []


def erp_conflicts(partner: PartnerConfig) -> list[Conflict]:
    """An ERP partner only pulls closed days with its own login: it has no mapping file (the days
    carry the hub's department, GL and tax codes), takes no ARI and is sent nothing."""
    if partner.kind.value != "erp":
        return []
    found: list[Conflict] = []
    if partner.mapping is not None:
        found.append((("mapping",), "an ERP partner has no mapping file: it reads the hub's own codes"))
    for key in ("url", "credentials", "ari"):
        if getattr(partner.outbound, key) is not None:
            reason = f"an ERP partner pulls its closed days; the hub sends it nothing (no outbound {key})"
            found.append((("outbound", key), reason))
    return found


def check_loaded(config: HubConfig, doc: YamlDocument, environ: Mapping[str, str]) -> list[FileProblem]:
    """Problems of a well-formed config: missing rates, credentials, endpoints, mapping files."""
    problems = _rate_warnings(config, doc) + _credential_problems(config, doc, environ)
    problems += _endpoint_warnings(config, doc) + _restriction_notes(config, doc)
    problems.sort(key=lambda problem: problem.line or 0)
    for index, partner in enumerate(config.partners):
        problems += _mapping_problems(config, doc, index, partner)
    return problems


def _rate_warnings(config: HubConfig, doc: YamlDocument) -> list[FileProblem]:
    return [
        doc.problem(
            ("properties", p, "rate_plans", r, "room_types", t),
            f"no default rate for room type {code!r}: it cannot be sold in {plan.code} "
            "until a rate is loaded",
            severity="warning",
        )
        for p, prop in enumerate(config.properties)
        for r, plan in enumerate(prop.rate_plans)
        for t, code in enumerate(plan.room_types)
        if code not in plan.default_rates and plan.derived_from is None
    ]


def _credential_problems(
    config: HubConfig, doc: YamlDocument, environ: Mapping[str, str]
) -> list[FileProblem]:
    # A warning, not an error: `config check` often runs where the secrets are not present (CI).
    problems: list[FileProblem] = []
    first_user: dict[str, str] = {}
    for i, partner in enumerate(config.partners):
        name = partner.credentials.password_env
        loc = ("partners", i, "credentials", "password_env")
        if not environ.get(name):
            reason = f"environment variable {name} is not set: partner {partner.id} cannot log in"
            problems.append(doc.problem(loc, reason, severity="warning"))
        if name in first_user:
            reason = f"{name} is also the password of partner {first_user[name]}: share no secrets"
            problems.append(doc.problem(loc, reason, severity="warning"))
        first_user.setdefault(name, partner.id)
        login = partner.outbound.credentials
        if login is not None and not environ.get(login.password_env):
            reason = (
                f"environment variable {login.password_env} is not set: "
                f"the hub cannot log in to partner {partner.id}"
            )
            where = ("partners", i, "outbound", "credentials", "password_env")
            problems.append(doc.problem(where, reason, severity="warning"))
    return problems


def _restriction_notes(config: HubConfig, doc: YamlDocument) -> list[FileProblem]:
    """A channel that takes only some restriction types is never sent the others: say which."""
    notes = []
    for i, partner in enumerate(config.partners):
        ari = partner.outbound.ari
        if ari is None or ari.restrictions == ALL_RESTRICTIONS:
            continue
        left_out = ", ".join(sorted(kind.value for kind in ALL_RESTRICTIONS - ari.restrictions))
        notes.append(
            doc.problem(
                ("partners", i, "outbound", "ari", "restrictions"),
                f"partner {partner.id} does not take {left_out}: the hub never sends them to it",
                severity="warning",
            )
        )
    return notes


def _endpoint_warnings(config: HubConfig, doc: YamlDocument) -> list[FileProblem]:
    return [
        doc.problem(
            ("partners", i, "outbound", "url"),
            "plain http: bookings and guest data would cross the network unencrypted; use https",
            severity="warning",
        )
        for i, partner in enumerate(config.partners)
        if partner.outbound.url is not None
        and partner.outbound.url.scheme == "http"
        and partner.outbound.url.host not in _LOCAL_HOSTS
    ]


def _mapping_problems(
    config: HubConfig, doc: YamlDocument, index: int, partner: PartnerConfig
) -> list[FileProblem]:
    if partner.mapping is None:
        return []
    if not partner.mapping.is_file():
        reason = f"mapping file {partner.mapping} not found"
        return [doc.problem(("partners", index, "mapping"), reason)]
    try:
        mapping_doc = read_mapping_document(partner.mapping)
        mapping = parse_mapping(mapping_doc)
    except MappingFileError as err:
        return list(err.problems)
    problems: list[FileProblem] = []
    if mapping.partner != partner.id:
        reason = (
            f"this file maps partner {mapping.partner!r} but is named by partner {partner.id!r} "
            f"(partners[{index}].mapping in {doc.path})"
        )
        problems.append(mapping_doc.problem(("partner",), reason))
    for p, entry in enumerate(mapping.properties):
        prop = config.find_property(entry.property)
        if entry.property not in partner.properties or prop is None:
            reason = (
                f"partner {partner.id} is not granted property {entry.property!r} "
                f"(partners[{index}].properties in {doc.path})"
            )
            problems.append(mapping_doc.problem(("properties", p, "property"), reason))
            continue
        room_types = [rt.code for rt in prop.room_types]
        rate_plans = [rp.code for rp in prop.rate_plans]
        for field, codes, known, what in (
            ("room_types", entry.room_types, room_types, "room type"),
            ("rate_plans", entry.rate_plans, rate_plans, "rate plan"),
        ):
            problems += [
                mapping_doc.problem(
                    ("properties", p, field, partner_code),
                    f"property {prop.code} has no {what} {hub_code!r}{did_you_mean(hub_code, known)}",
                )
                for partner_code, hub_code in codes.items()
                if hub_code not in known
            ]
    problems += [
        mapping_doc.problem(
            ("properties",),
            f"no entry for property {code!r}, which partner {partner.id} is granted: "
            "its bookings would be refused as an unknown hotel",
        )
        for code in partner.properties
        if mapping.for_property(code) is None
    ]
    return problems
