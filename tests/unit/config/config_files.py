"""Builder for configuration tests: an editable copy of the demo config and its mapping files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hub.config import ConfigProblem, check_config

REPO_ROOT = Path(__file__).resolve().parents[3]
DEMO_DIR = REPO_ROOT / "examples"
DEMO_CONFIG = DEMO_DIR / "demo.yaml"

# The demo names these variables; most tests run as if the secrets were present.
DEMO_ENV = {
    "HUB_PARTNER_OTAONE_PASSWORD": "demo-secret-one",
    "HUB_PARTNER_OTATWO_PASSWORD": "demo-secret-two",
    "HUB_PARTNER_ERP_PASSWORD": "demo-secret-erp",
}

Data = dict[str, Any]


class ConfigFiles:
    """A copy of examples/demo.yaml and its mapping files, edited as data and checked."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copy(DEMO_CONFIG, root / "demo.yaml")
        shutil.copytree(DEMO_DIR / "mappings", root / "mappings")

    @property
    def path(self) -> Path:
        """The config file."""
        return self.root / "demo.yaml"

    def mapping_path(self, partner: str) -> Path:
        """The mapping file of one demo partner, as the config names it."""
        return self.root / "mappings" / "ota" / f"{partner}.yaml"

    def edit(self, change: Callable[[Data], object]) -> None:
        """Apply ``change`` to the config file's data and write it back."""
        _edit_yaml(self.path, change)

    def edit_mapping(self, partner: str, change: Callable[[Data], object]) -> None:
        """Apply ``change`` to a partner mapping file's data and write it back."""
        _edit_yaml(self.mapping_path(partner), change)

    def write(self, text: str) -> None:
        """Replace the config file with raw text (for syntax mistakes)."""
        self.path.write_text(text, encoding="utf-8")

    def problems(self, environ: dict[str, str] | None = None) -> list[ConfigProblem]:
        """What `config check` reports, with the demo secrets present unless told otherwise."""
        return check_config(self.path, environ=DEMO_ENV if environ is None else environ)

    def line_text(self, problem: ConfigProblem) -> str:
        """The text of the line a problem points at."""
        assert problem.line is not None, f"no line in {problem}"
        return problem.file.read_text(encoding="utf-8").splitlines()[problem.line - 1]


def _edit_yaml(path: Path, change: Callable[[Data], object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
