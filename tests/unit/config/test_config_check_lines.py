"""`hotelhub config check` prints each problem on one line, whatever the terminal's width."""

from __future__ import annotations

from pathlib import Path

from config_files import DEMO_ENV, ConfigFiles, Data
from typer.testing import CliRunner

from hub.cli import app
from mappings.source import FileProblem

runner = CliRunner()


def _misspelt(data: Data) -> None:
    data["properties"][0]["timezone"] = "Europe/Romeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
    data["properties"][0]["rate_plans"][0]["room_types"][1] = "DSUPERIOR_WITH_A_VIEW"


def test_given_a_narrow_terminal_when_problems_are_checked_then_each_is_printed_on_one_whole_line(
    files: ConfigFiles,
) -> None:
    files.edit(_misspelt)
    problems = [str(problem) for problem in files.problems()]
    assert len(problems) == 2 and all(len(line) > 80 for line in problems)

    result = runner.invoke(
        app, ["config", "check", "--offline", str(files.path)], env={**DEMO_ENV, "COLUMNS": "40"}
    )

    assert result.exit_code == 1
    assert result.output.splitlines() == [*problems, "2 error(s)"]


def test_given_a_narrow_terminal_when_a_file_only_warns_then_each_warning_is_one_line(
    files: ConfigFiles,
) -> None:
    env = {"HUB_PARTNER_OTAONE_PASSWORD": "", "HUB_PARTNER_OTATWO_PASSWORD": "", "COLUMNS": "40"}
    warnings = [str(problem) for problem in files.problems(environ={})]

    result = runner.invoke(app, ["config", "check", "--offline", str(files.path)], env=env)

    assert result.exit_code == 0
    assert result.output.splitlines() == [*warnings, f"{files.path}: OK ({len(warnings)} warning(s))"]


def test_given_a_reason_over_several_lines_when_rendered_then_it_is_one_line() -> None:
    problem = FileProblem(
        file=Path("hub.yaml"), key="", reason="YAML syntax: while scanning\n  a simple key", line=3
    )

    assert str(problem) == "hub.yaml:3: error: YAML syntax: while scanning a simple key"
