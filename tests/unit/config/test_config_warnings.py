"""Warnings: things `config check` cannot hold against the file, but an operator should know."""

from __future__ import annotations

import pytest
from config_files import DEMO_ENV, ConfigFiles, Data

from hub.config import load_config


def test_given_unset_credential_variables_when_checked_then_one_warning_per_partner(
    files: ConfigFiles,
) -> None:
    problems = files.problems(environ={"HUB_PARTNER_OTATWO_PASSWORD": ""})

    assert [(p.key, p.severity) for p in problems] == [
        ("partners[0].credentials.password_env", "warning"),
        ("partners[1].credentials.password_env", "warning"),
        ("partners[2].credentials.password_env", "warning"),
    ]
    assert "HUB_PARTNER_OTAONE_PASSWORD is not set" in problems[0].reason
    assert "HUB_PARTNER_OTAONE_PASSWORD" in files.line_text(problems[0])
    assert str(problems[0]).startswith(f"{files.path}:{problems[0].line}: warning: ")


def test_given_unset_credential_variables_when_loaded_then_the_config_still_loads(
    files: ConfigFiles,
) -> None:
    config = load_config(files.path, environ={})

    assert [p.id for p in config.partners] == ["otaone", "otatwo", "erp"]


def test_given_two_partners_naming_one_password_variable_when_checked_then_a_warning(
    files: ConfigFiles,
) -> None:
    files.edit(
        lambda data: data["partners"][1]["credentials"].update(password_env="HUB_PARTNER_OTAONE_PASSWORD")
    )

    (problem,) = files.problems()

    assert (problem.key, problem.severity) == ("partners[1].credentials.password_env", "warning")
    assert "also the password of partner otaone" in problem.reason


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://ari.otaone.example/ota", True),
        ("http://localhost:9001/ota", False),
        ("http://127.0.0.1:9001/ota", False),
        ("https://ari.otaone.example/ota", False),
    ],
)
def test_given_an_outbound_url_when_checked_then_plain_http_to_another_host_is_warned(
    files: ConfigFiles, url: str, warned: bool
) -> None:
    files.edit(lambda data: data["partners"][0]["outbound"].update(url=url))

    problems = files.problems()

    assert [(p.key, p.severity) for p in problems] == (
        [("partners[0].outbound.url", "warning")] if warned else []
    )


def test_given_a_rate_plan_room_type_without_default_rate_when_checked_then_a_warning(
    files: ConfigFiles,
) -> None:
    def drop_suite_rate(data: Data) -> None:
        del data["properties"][0]["rate_plans"][1]["default_rates"]["JSU"]

    files.edit(drop_suite_rate)

    (problem,) = files.problems()

    assert (problem.key, problem.severity) == (
        "properties[0].rate_plans[1].room_types[3]",
        "warning",
    )
    assert "no default rate for room type 'JSU'" in problem.reason
    assert load_config(files.path, environ=DEMO_ENV).properties[0].rate_plans[1].code == "NREF"
