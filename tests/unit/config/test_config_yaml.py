"""How the YAML itself is read: syntax errors with lines, duplicate keys, YAML 1.1 traps."""

from __future__ import annotations

import pytest
from config_files import DEMO_ENV, ConfigFiles

from hub.config import ConfigError, check_config, load_config

BROKEN_INDENT = """\
version: 1
properties:
  - code: ALPINA
    name: Hotel Alpina
   timezone: Europe/Rome
"""


def test_given_a_yaml_syntax_error_when_checked_then_one_error_with_its_line(
    files: ConfigFiles,
) -> None:
    files.write(BROKEN_INDENT)

    (problem,) = files.problems()

    assert (problem.file, problem.line, problem.key) == (files.path, 5, "")
    assert problem.reason.startswith("YAML syntax:")
    assert str(problem).startswith(f"{files.path}:5: error: YAML syntax:")


def test_given_a_yaml_syntax_error_when_loaded_then_config_error(files: ConfigFiles) -> None:
    files.write(BROKEN_INDENT)

    with pytest.raises(ConfigError, match=r":5: error: YAML syntax"):
        load_config(files.path, environ=DEMO_ENV)


def test_given_a_key_written_twice_when_checked_then_an_error_on_the_second_line(
    files: ConfigFiles,
) -> None:
    text = files.path.read_text(encoding="utf-8")
    files.write(text.replace("    currency: EUR\n", "    currency: EUR\n    currency: CHF\n", 1))

    (problem,) = files.problems()

    assert "duplicate key 'currency' (first given on line" in problem.reason
    assert files.line_text(problem).strip() == "currency: CHF"


def test_given_a_partner_code_written_twice_in_a_mapping_when_checked_then_an_error_there(
    files: ConfigFiles,
) -> None:
    path = files.mapping_path("otaone")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      NRF1: NREF\n", "      NRF1: NREF\n      FLEX1: NREF\n"))

    (problem,) = files.problems()

    assert problem.file == path
    assert "duplicate key 'FLEX1'" in problem.reason
    assert files.line_text(problem).strip() == "FLEX1: NREF"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "file is empty"),
        ("# only a comment\n", "file is empty"),
        ("- code: ALPINA\n", "expected a mapping of keys at the top"),
    ],
)
def test_given_a_file_with_no_settings_when_checked_then_one_error_saying_so(
    files: ConfigFiles, text: str, reason: str
) -> None:
    files.write(text)

    (problem,) = files.problems()

    assert (problem.file, problem.reason) == (files.path, reason)


def test_given_no_file_when_checked_then_file_not_found(files: ConfigFiles) -> None:
    missing = files.root / "nowhere.yaml"

    (problem,) = check_config(missing, environ=DEMO_ENV)

    assert (problem.file, problem.reason) == (missing, "file not found")


def test_given_unquoted_room_numbers_and_codes_when_loaded_then_they_stay_text(
    files: ConfigFiles,
) -> None:
    # YAML 1.1 would read 0101 as octal 65 and NO / ON as booleans.
    text = files.path.read_text(encoding="utf-8")
    text = text.replace('rooms: ["301", "302", "303"]', "rooms: [0301, 302, NO]")
    files.write(text.replace("JSU", "ON"))
    for partner in ("otaone", "otatwo"):
        mapping = files.mapping_path(partner)
        mapping.write_text(mapping.read_text(encoding="utf-8").replace(": JSU", ": ON"))

    config = load_config(files.path, environ=DEMO_ENV)

    suite = config.properties[0].room_types[3]
    assert (suite.code, suite.rooms) == ("ON", ("0301", "302", "NO"))
