"""compose.yaml read as Docker Compose reads it: .env values, `${VAR}` interpolation, merged services.

Only what this repository's compose.yaml uses is supported; anything else fails loudly instead of
being read differently from Compose.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"

# Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
# ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement} (compose-spec, "Interpolation").
_PLACEHOLDER = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\})"
)


class InterpolationError(ValueError):
    """A required variable is missing: Compose stops with this message."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines skipped; no inline comments)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path.name}:{number}: not a KEY=VALUE line: {line!r}")
        if " #" in value:
            raise ValueError(f"{path.name}:{number}: an inline comment is read differently by tools")
        values[key] = value.strip().strip("'\"")
    return values


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """One string with Compose's `${...}` placeholders replaced from `env`."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["bare"] or match["name"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        unset_or_empty = not value
        if op in (":-", "-"):
            return arg if (unset_or_empty if op == ":-" else value is None) else str(value)
        if op in (":?", "?"):
            if unset_or_empty if op == ":?" else value is None:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            return str(value)
        if op in (":+", "+"):
            return arg if not (unset_or_empty if op == ":+" else value is None) else ""
        return value or ""

    return _PLACEHOLDER.sub(replace, text)


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """Every (variable, operator) that a text's placeholders use ($$ escapes excluded)."""
    return [
        (match["bare"] or match["name"], match["op"])
        for match in _PLACEHOLDER.finditer(text)
        if not match["escaped"]
    ]


def _walk(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_walk(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _walk(value, env) for key, value in node.items()}
    return node


def load_compose(env: Mapping[str, str]) -> dict[str, Any]:
    """compose.yaml with YAML merge keys resolved and every placeholder interpolated from `env`."""
    return _walk(yaml.safe_load(COMPOSE_FILE.read_text()), env)  # type: ignore[no-any-return]


def dockerfile_env() -> dict[str, str]:
    """The ENV the image sets (KEY=VALUE form, continuation lines joined)."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().upper().startswith("ENV "):
            for pair in shlex.split(line.strip()[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def dockerfile_user() -> str:
    """The user the image runs as (its last USER instruction)."""
    users = [line.split()[1] for line in DOCKERFILE.read_text().splitlines() if line.startswith("USER ")]
    return users[-1]


@dataclass
class HubService:
    """One service built from this repository's Dockerfile, as its container would run."""

    name: str
    spec: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)

    @property
    def command(self) -> list[str]:
        """The service's command as an argument list."""
        command = self.spec["command"]
        return shlex.split(command) if isinstance(command, str) else list(command)

    @property
    def healthcheck(self) -> list[str] | None:
        """The health check's test as a command to run (CMD, or CMD-SHELL through sh -c)."""
        check = self.spec.get("healthcheck")
        if check is None:
            return None
        kind, *rest = check["test"]
        if kind == "CMD":
            return rest
        if kind == "CMD-SHELL":
            return ["sh", "-c", rest[0]]
        raise ValueError(f"{self.name}: health check {kind} is not supported here")

    def environment(self, env_files: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        """The container's environment: image ENV, then its env_file(s), then `environment`."""
        env = dockerfile_env()
        files = self.spec.get("env_file", [])
        for name in [files] if isinstance(files, str) else files:
            env.update(env_files[name])
        env.update({key: str(value) for key, value in self.spec.get("environment", {}).items()})
        return env

    def mounts(self) -> dict[str, str]:
        """Container path -> source: a host path (bind mount) or a volume name."""
        found = {}
        for volume in self.spec.get("volumes", []):
            source, target, *_ = volume.split(":")
            found[target] = source
        return found


def hub_services(compose: dict[str, Any]) -> list[HubService]:
    """The services built from this repository, in the order Compose starts them (dependencies first)."""
    services = {
        name: HubService(name, spec, list(spec.get("depends_on", {})))
        for name, spec in compose["services"].items()
        if spec.get("build") in (".", "./")
    }
    ordered: list[HubService] = []
    while len(ordered) < len(services):
        ready = [
            s
            for s in services.values()
            if s not in ordered and all(d not in services or services[d] in ordered for d in s.depends_on)
        ]
        if not ready:
            raise ValueError("the hub services depend on each other in a circle")
        ordered.append(ready[0])
    return ordered


def run(
    argv: list[str], env: Mapping[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a command with exactly this environment; its output captured."""
    return subprocess.run(argv, env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout)
