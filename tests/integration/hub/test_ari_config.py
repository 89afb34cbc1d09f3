"""Derived rate plans in the configuration file: checked by `config check`, applied, resolved on read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from hub.cli import app
from hub.config import load_config
from hub.config_apply import apply_config
from pms_core.ari import rate_cells

runner = CliRunner()

HOTEL = """\
version: 1
properties:
  - code: H1
    name: Hotel One
    timezone: Europe/Vienna
    currency: EUR
    room_types:
      - {code: DBL, name: Double, max_occupancy: 2, rooms: ["1", "2"]}
      - {code: SGL, name: Single, max_occupancy: 1, rooms: ["3"]}
    rate_plans:
"""
PLANS = """\
      - {code: BAR, name: Best available, room_types: [DBL, SGL], default_rates: {DBL: "99.99", SGL: "80"}}
      - code: NREF
        name: Non-refundable
        room_types: [DBL, SGL]
        derived_from: BAR
        adjust: {percent: -10}
        follow: [closed, min_los]
      - code: MEMBER
        name: Members
        room_types: [DBL]
        derived_from: NREF
        adjust: {amount: -5}
        follow_restrictions: true
"""


def _file(tmp_path: Path, plans: str) -> Path:
    path = tmp_path / "hub.yaml"
    path.write_text(HOTEL + plans)
    return path


def test_given_derived_plans_that_derive_from_each_other_when_checked_then_an_error_naming_the_cycle(
    tmp_path: Path,
) -> None:
    cycle = """\
      - {code: BAR, name: Best available, room_types: [DBL], default_rates: {DBL: "100"}}
      - {code: A, name: A, room_types: [DBL], derived_from: B, adjust: {percent: -5}}
      - {code: B, name: B, room_types: [DBL], derived_from: A, adjust: {percent: -5}}
"""
    result = runner.invoke(app, ["config", "check", str(_file(tmp_path, cycle))])

    assert result.exit_code == 1, result.output
    assert "rate plans derive from each other: A -> B -> A" in result.output
    assert "derived_from" in result.output


def test_given_a_derived_plan_with_a_wrong_parent_or_room_type_or_field_when_checked_then_each_is_named(
    tmp_path: Path,
) -> None:
    base = '      - {code: BAR, name: Best available, room_types: [DBL], default_rates: {DBL: "100"}}\n'
    wrong_fields = base + (
        "      - {code: B, name: B, room_types: [DBL], derived_from: BAR, follow: [closd]}\n"
        "      - {code: C, name: C, room_types: [DBL], adjust: {percent: 5}}\n"
    )
    wrong_links = base + (
        "      - {code: A, name: A, room_types: [DBL], derived_from: BRA}\n"
        "      - {code: B, name: B, room_types: [DBL, SGL], derived_from: BAR}\n"
    )
    fields = runner.invoke(app, ["config", "check", str(_file(tmp_path, wrong_fields))])
    links = runner.invoke(app, ["config", "check", str(_file(tmp_path, wrong_links))])

    assert (fields.exit_code, links.exit_code) == (1, 1)
    for expected in (
        "rate_plans[1].follow[0]: 'closd' is not a restriction (did you mean 'closed'?)",
        "rate_plans[2].adjust: only a derived rate plan (derived_from) has this",
    ):
        assert expected in fields.output, fields.output
    for expected in (
        "rate_plans[1].derived_from: unknown parent rate plan 'BRA' (did you mean 'BAR'?)",
        "rate_plans[2].room_types[1]: parent BAR does not sell room type 'SGL'",
    ):
        assert expected in links.output, links.output


async def test_given_derived_plans_applied_when_read_then_resolved_from_the_parent_with_rounding(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    config = load_config(_file(tmp_path, PLANS), {})
    await apply_config(engine, config, {})
    night = date(2031, 5, 1)

    async with engine.connect() as conn:
        cells = {c.rate_plan: c for c in await rate_cells(conn, "H1", night, night, room_types=["DBL"])}

    # 99.99 -10 % = 89.991 -> 89.99; then -5 = 84.99
    assert {plan: cell.rates.amount for plan, cell in cells.items()} == {
        "BAR": Decimal("99.99"),
        "NREF": Decimal("89.99"),
        "MEMBER": Decimal("84.99"),
    }
    again = await apply_config(engine, config, {})
    assert again == ["no changes"]
