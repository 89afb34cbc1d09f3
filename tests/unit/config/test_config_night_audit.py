"""A property's `audit_time` and a rate plan's `no_show_fee`: loaded as the audit's settings; a
mistake is one problem at its key."""

from __future__ import annotations

from datetime import time

from config_files import DEMO_ENV, ConfigFiles, Data

from canonical.night_audit import NoShowFee
from hub.config import load_config
from hub.config_audit import audit_settings


def _plan(data: Data, index: int = 0) -> Data:
    plan: Data = data["properties"][0]["rate_plans"][index]
    return plan


def test_given_an_audit_time_and_a_fee_when_loaded_then_the_audit_settings_carry_them(
    files: ConfigFiles,
) -> None:
    def settings(data: Data) -> None:
        data["properties"][0]["audit_time"] = "04:30"
        _plan(data)["no_show_fee"] = {"nights": 1}

    files.edit(settings)

    prop = load_config(files.path, environ=DEMO_ENV).properties[0]
    found = audit_settings(prop)
    assert found.audit_time == time(4, 30)
    assert found.no_show_fees == {prop.rate_plans[0].code: NoShowFee(nights=1)}


def test_given_no_settings_when_loaded_then_the_audit_runs_at_three_without_fees(files: ConfigFiles) -> None:
    found = audit_settings(load_config(files.path, environ=DEMO_ENV).properties[0])

    assert (found.audit_time, found.no_show_fees) == (time(3, 0), {})


def test_given_a_bad_audit_time_and_a_fee_naming_both_when_checked_then_one_problem_at_each_key(
    files: ConfigFiles,
) -> None:
    def mistakes(data: Data) -> None:
        data["properties"][0]["audit_time"] = "3 am"
        _plan(data)["no_show_fee"] = {"nights": 1, "amount": "50.00"}

    files.edit(mistakes)

    keys = {problem.key: problem.reason for problem in files.problems()}
    assert set(keys) == {"properties[0].audit_time", "properties[0].rate_plans[0].no_show_fee"}
    assert "give either nights or amount" in keys["properties[0].rate_plans[0].no_show_fee"]
