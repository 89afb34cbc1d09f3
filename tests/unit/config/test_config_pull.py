"""The `outbound.pull` and `outbound.credentials` of a pulled channel: what `config check` holds it to."""

from __future__ import annotations

from config_files import DEMO_ENV, ConfigFiles, Data

from hub.config import load_config

LOGIN = {"username": "alpina-hub", "password_env": "HUB_OTAONE_OUT_PASSWORD"}


def _pulled(**pull: object) -> object:
    def change(data: Data) -> None:
        data["partners"][0]["outbound"].update(pull=pull, credentials=LOGIN)

    return change


def test_given_a_pull_block_without_an_alarm_window_when_loaded_then_the_window_is_15_minutes(
    files: ConfigFiles,
) -> None:
    files.edit(_pulled(interval_s=30))  # type: ignore[arg-type]

    outbound = load_config(files.path, DEMO_ENV).partners[0].outbound

    assert outbound.pull is not None and outbound.credentials is not None
    assert (outbound.pull.interval_s, outbound.pull.alarm_after_s) == (30, 900)
    assert outbound.credentials.password_env == "HUB_OTAONE_OUT_PASSWORD"


def test_given_an_alarm_window_not_longer_than_the_interval_when_checked_then_an_error_naming_both(
    files: ConfigFiles,
) -> None:
    files.edit(_pulled(interval_s=600, alarm_after_s=300))  # type: ignore[arg-type]

    (problem,) = [p for p in files.problems() if p.severity == "error"]

    assert problem.key == "partners[0].outbound.pull"
    assert "alarm_after_s (300) must be longer than interval_s (600)" in problem.reason


def test_given_a_pulled_partner_without_a_url_when_checked_then_an_error_at_the_url(
    files: ConfigFiles,
) -> None:
    def change(data: Data) -> None:
        data["partners"][0]["outbound"] = {"pull": {"interval_s": 60}}

    files.edit(change)

    (problem,) = [p for p in files.problems() if p.severity == "error"]

    assert problem.key == "partners[0].outbound.url"
    assert "needs the URL its OTA_ReadRQ is sent to" in problem.reason


def test_given_an_outbound_password_in_the_file_when_checked_then_refused(files: ConfigFiles) -> None:
    def change(data: Data) -> None:
        data["partners"][0]["outbound"]["credentials"] = {"username": "hub", "password": "s3cret"}

    files.edit(change)

    errors = [p for p in files.problems() if p.severity == "error"]

    assert any("a secret never goes in this file" in p.reason for p in errors)
    assert not any("s3cret" in str(p) for p in errors)


def test_given_an_unset_outbound_password_variable_when_checked_then_a_warning_naming_it(
    files: ConfigFiles,
) -> None:
    files.edit(_pulled(interval_s=60))  # type: ignore[arg-type]

    (problem,) = files.problems()

    assert (problem.key, problem.severity) == ("partners[0].outbound.credentials.password_env", "warning")
    assert "HUB_OTAONE_OUT_PASSWORD is not set: the hub cannot log in to partner otaone" in problem.reason
