"""`hotelhub demo` end to end: a real hub over HTTP on SQLite, two partners, everything must add up
(how long it takes: bench/demo.py)."""

from __future__ import annotations

import io

from rich.console import Console

from hub.demo.run import run_demo


async def test_given_a_fresh_hub_when_the_demo_runs_then_everything_adds_up_with_one_dead_letter() -> None:
    out = io.StringIO()
    console = Console(file=out, width=160, force_terminal=False, color_system=None)

    code = await run_demo(console, bookings_per_partner=8)

    output = out.getvalue()
    assert code == 0, output
    assert "Availability of ALPINA" in output
    assert "Dead letters (1)" in output
    assert "UnmappedRoomType" in output
    assert "everything adds up" in output
