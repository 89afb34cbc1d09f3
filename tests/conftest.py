"""Shared test set-up: tests/ and tests/e2e importable for their helper modules; the tripwire listener."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for folder in (HERE, HERE / "e2e"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture
def tripwire() -> Iterator[object]:
    """A loopback listener for hostile documents to name; the test fails if anything contacts it."""
    from tripwire import Tripwire

    wire = Tripwire().start()
    try:
        yield wire
        wire.assert_untouched()
    finally:
        wire.stop()


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Each test starts with the root logger as the one before found it.

    A CLI command run through typer's CliRunner configures logging onto the runner's stderr, which
    is closed when the command returns; a later test's command would log into it.
    """
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class _ErrorLines:
    """Collects the messages of ERROR records of one logger (a handler on it: works whatever the
    hub's logging set-up does with propagation)."""

    def __init__(self, name: str) -> None:
        import logging

        self.lines: list[str] = []
        self._logger = logging.getLogger(name)
        self._handler = logging.Handler(logging.ERROR)
        self._handler.emit = lambda record: self.lines.append(record.getMessage())  # type: ignore[method-assign]
        self._logger.addHandler(self._handler)

    def close(self) -> None:
        self._logger.removeHandler(self._handler)


@pytest.fixture
def partner_alerts() -> Iterator[list[str]]:
    """The ERROR lines (alerts) of the partners logger during the test."""
    collected = _ErrorLines("hotelhub.partners")
    try:
        yield collected.lines
    finally:
        collected.close()
