"""HUB_CPU_AFFINITY: a Linux CPU list, refused at start when malformed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.settings import HubSettings, cpu_list


@pytest.mark.parametrize(
    ("text", "cpus"),
    [("0", {0}), ("0,2", {0, 2}), ("1-3,6", {1, 2, 3, 6}), (" 4 - 5 ", {4, 5}), ("3,3", {3})],
)
def test_given_a_cpu_list_when_read_then_its_cpus(text: str, cpus: set[int]) -> None:
    assert cpu_list(text) == cpus


@pytest.mark.parametrize("text", ["x", "1-", "-1", "3-1", "1,,2", "0.5"])
def test_given_a_malformed_cpu_list_when_settings_are_read_then_refused_naming_it(text: str) -> None:
    with pytest.raises(ValidationError, match="CPU list"):
        HubSettings(cpu_affinity=text)


def test_given_no_or_an_empty_cpu_list_when_settings_are_read_then_no_restriction() -> None:
    assert HubSettings().cpus is None
    assert HubSettings(cpu_affinity="").cpus is None
    assert HubSettings(cpu_affinity="0-1").cpus == {0, 1}
