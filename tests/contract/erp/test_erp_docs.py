"""docs/erp.md shows what the codec writes: its JSON and CSV examples are the codec's bytes for a fixture day."""

from __future__ import annotations

import re
from pathlib import Path

from erp_builders import BUSINESS_DATE, a_closed_day

from connectors.erp.codec import encode_csv, encode_json

DOC = Path(__file__).resolve().parents[3] / "docs" / "erp.md"


def _example(kind: str) -> str:
    found = re.search(rf"<!-- erp-example: {kind} .*?-->\n```{kind}\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert found is not None, f"docs/erp.md has no {kind} example"
    return found.group(1)


def test_given_the_fixture_day_when_encoded_then_the_docs_show_exactly_those_bytes() -> None:
    day = a_closed_day()

    assert _example("json") == encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [day]).decode()
    assert _example("csv").replace("\n", "\r\n") == encode_csv("ALPINA", [day]).decode()
