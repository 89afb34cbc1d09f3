"""Merging resolved ARI cells into ranges: fewest contiguous ranges, every cell kept, per key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ota_ari_cells import availability_cells, night, rate_cells

from canonical.ari import RateCell
from connectors.ota.ari_ranges import AriRange, availability_ranges, rate_ranges, restriction_ranges

# per (room type, rate plan): a list of nights, each a value or None (no cell that night)
grids = st.dictionaries(
    st.tuples(st.sampled_from(["DBL", "SGL", "STE"]), st.sampled_from(["BAR", "NRF"])),
    st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=40),
    max_size=4,
)


def _cells(grid: dict[tuple[str, str], list[int | None]]) -> list[RateCell]:
    cells: list[RateCell] = []
    for (room, plan), values in grid.items():
        for offset, value in enumerate(values):
            if value is not None:
                cells.extend(rate_cells([value], room_type=room, rate_plan=plan, start=offset))
    return cells


def _fewest(grid: dict[tuple[str, str], list[int | None]]) -> int:
    """A range must start at every night whose previous night is missing or differs."""
    return sum(
        1
        for values in grid.values()
        for i, value in enumerate(values)
        if value is not None and (i == 0 or values[i - 1] != value)
    )


def _expanded(ranges: list[AriRange[object]]) -> dict[tuple[str, str | None, object], object]:
    out: dict[tuple[str, str | None, object], object] = {}
    for span in ranges:
        for i in range(span.nights):
            key = (span.room_type, span.rate_plan, span.first + timedelta(days=i))
            assert key not in out, f"night {key} in two ranges"
            out[key] = span.value
    return out


@settings(max_examples=150, deadline=None)
@given(grids)
def test_given_random_cell_grids_when_merged_then_fewest_ranges_and_every_cell_kept(
    grid: dict[tuple[str, str], list[int | None]],
) -> None:
    cells = _cells(grid)
    by_rates = rate_ranges(reversed(cells))  # any order in, same ranges out
    by_restrictions = restriction_ranges(cells)
    assert len(by_rates) == _fewest(grid)
    assert len(by_restrictions) == _fewest(grid)  # the builders tie restrictions to the value too
    assert _expanded(by_rates) == {(c.room_type, c.rate_plan, c.night): c.rates for c in cells}  # type: ignore[arg-type]
    assert _expanded(by_restrictions) == {  # type: ignore[arg-type]
        (c.room_type, c.rate_plan, c.night): c.restrictions for c in cells
    }


def test_given_equal_nights_around_a_gap_when_merged_then_two_ranges_not_one() -> None:
    cells = availability_cells([2, 2]) + availability_cells([2, 2], start=3)
    ranges = availability_ranges(cells)
    assert [(r.first, r.last, r.value) for r in ranges] == [(night(0), night(1), 2), (night(3), night(4), 2)]


def test_given_a_night_twice_when_merged_then_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        availability_ranges(availability_cells([1]) + availability_cells([2]))


def test_given_a_long_range_when_split_then_consecutive_pieces_cover_it() -> None:
    (span,) = availability_ranges(availability_cells([5] * 10))
    pieces = span.split(4)
    assert [(p.first, p.last) for p in pieces] == [
        (night(0), night(3)),
        (night(4), night(7)),
        (night(8), night(9)),
    ]
