"""LoginGuard: failed logins counted per (username, address) in a fixed window, bounded in memory."""

from __future__ import annotations

import json
import logging

import pytest

from hub.logs import JsonFormatter
from routes.login_guard import LoginGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _guard(clock: Clock, **kwargs: int) -> LoginGuard:
    return LoginGuard(failures=kwargs.pop("failures", 3), window_s=60.0, clock=clock, **kwargs)


def test_given_failures_below_the_limit_when_asked_then_the_login_may_be_tried() -> None:
    clock = Clock()
    guard = _guard(clock)
    guard.failed("ota", "10.0.0.1")
    guard.failed("ota", "10.0.0.1")
    assert guard.refused_for("ota", "10.0.0.1") == 0.0


def test_given_the_limit_reached_when_asked_then_refused_for_the_rest_of_the_window_only() -> None:
    clock = Clock()
    guard = _guard(clock)
    for _ in range(3):
        guard.failed("ota", "10.0.0.1")
        clock.now += 10
    assert guard.refused_for("ota", "10.0.0.1") == 30.0  # 60 s from the first failure
    assert guard.refused_for("ota", "10.0.0.2") == 0.0  # another address
    assert guard.refused_for("other", "10.0.0.1") == 0.0  # another username
    clock.now += 30
    assert guard.refused_for("ota", "10.0.0.1") == 0.0
    guard.failed("ota", "10.0.0.1")  # a new window starts with one failure
    assert guard.refused_for("ota", "10.0.0.1") == 0.0


def test_given_failures_when_the_login_succeeds_then_they_are_forgotten() -> None:
    clock = Clock()
    guard = _guard(clock)
    guard.failed("ota", "10.0.0.1")
    guard.failed("ota", "10.0.0.1")
    guard.succeeded("ota", "10.0.0.1")
    guard.failed("ota", "10.0.0.1")
    guard.failed("ota", "10.0.0.1")
    assert guard.refused_for("ota", "10.0.0.1") == 0.0


def test_given_more_keys_than_the_bound_when_failing_then_the_least_recent_are_forgotten() -> None:
    clock = Clock()
    guard = _guard(clock, failures=1, max_keys=100)
    for n in range(1000):
        guard.failed(f"user-{n}", "10.0.0.9")
    assert len(guard._keys) == 100
    assert guard.refused_for("user-999", "10.0.0.9") > 0
    assert guard.refused_for("user-0", "10.0.0.9") == 0.0


def test_given_the_guard_off_when_failing_then_nothing_is_counted() -> None:
    guard = _guard(Clock(), failures=0)
    for _ in range(50):
        guard.failed("ota", "10.0.0.1")
    assert guard.refused_for("ota", "10.0.0.1") == 0.0
    assert not guard._keys


def test_given_failures_reaching_the_limit_when_counted_then_one_lock_out_line_names_partner_and_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    guard = _guard(clock)
    with caplog.at_level(logging.INFO, logger="hotelhub.login_guard"):
        for attempt in range(5):  # ingress stops counting once locked out; the guard must not repeat
            guard.failed("otaone", "10.0.0.1", correlation_id=f"c-{attempt}")
            clock.now += 1
    (line,) = [r for r in caplog.records if getattr(r, "event", None) == "login_locked_out"]
    assert (line.partner, line.address, line.ota_code) == ("otaone", "10.0.0.1", "4/497")  # type: ignore[attr-defined]
    assert line.correlation_id == "c-2"  # type: ignore[attr-defined]
    assert "3 failed logins" in line.reason  # type: ignore[attr-defined]
    written = JsonFormatter().format(line)
    assert "\n" not in written
    assert json.loads(written)["correlation_id"] == "c-2"


def test_given_a_lock_out_that_ended_when_the_limit_is_reached_again_then_a_second_line() -> None:
    clock = Clock()
    guard = _guard(clock)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("hotelhub.login_guard")
    logger.addHandler(handler)
    try:
        for _ in range(3):
            guard.failed("otaone", "10.0.0.1")
        clock.now += 61
        for _ in range(3):
            guard.failed("otaone", "10.0.0.1")
    finally:
        logger.removeHandler(handler)
    assert [getattr(r, "event", None) for r in records] == ["login_locked_out", "login_locked_out"]
