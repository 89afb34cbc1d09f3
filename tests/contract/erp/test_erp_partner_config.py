"""An ERP partner in the configuration file: accepted with a login and grants, refused with what it never uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from erp_builders import erp_config

from hub.config import check_config

ENV = {
    "HUB_PARTNER_OTAONE_PASSWORD": "one",
    "HUB_PARTNER_OTATWO_PASSWORD": "two",
    "HUB_PARTNER_LEDGERLY_PASSWORD": "erp",
}


def test_given_an_erp_partner_with_a_login_and_grants_when_checked_then_no_problem(tmp_path: Path) -> None:
    assert check_config(erp_config(tmp_path), ENV) == []


@pytest.mark.parametrize(
    ("extra", "key", "reason"),
    [
        ({"mapping": "mappings/ota/otaone.yaml"}, "mapping", "no mapping file"),
        ({"outbound": {"url": "https://erp.example/journal"}}, "outbound.url", "sends it nothing"),
        ({"outbound": {"ari": {"complete_sets": True}}}, "outbound.ari", "sends it nothing"),
        ({"outbound": {"pull": {"interval_s": 60}}}, "outbound.pull", "booking pull is for OTA channels"),
    ],
)
def test_given_an_erp_partner_with_what_it_never_uses_when_checked_then_refused_naming_the_key(
    tmp_path: Path, extra: dict[str, object], key: str, reason: str
) -> None:
    problems = check_config(erp_config(tmp_path, **extra), ENV)

    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    assert errors[0].key.endswith(key) and reason in errors[0].reason, errors[0]
