"""YAML source files read for operators: strict scalars, duplicate keys refused, problems with lines.

Shared by the partner mapping files and the hub's configuration file, so both report a mistake
the same way: file, line, key path (``properties[0].rate_plans[1].room_types[2]``) and reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BeforeValidator, Field, ValidationError

from canonical.base import Frozen

Severity = Literal["error", "warning"]
Loc = tuple[str | int, ...]


class FileProblem(Frozen):
    """One thing wrong in an operator's file: where (file, line, key path), why, and how bad."""

    file: Path
    key: str
    reason: str
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        """Render as ``file:line: severity: key: reason`` on one line, the shape editors and CI understand."""
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        key = f"{self.key}: " if self.key else ""
        # One problem, one line: a reason quoting a multi-line value (a YAML error) is folded.
        reason = " ".join(self.reason.split())
        return f"{where}: {self.severity}: {key}{reason}"


class SourceError(Exception):
    """A file could not be used; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class Conflicts(ValueError):
    """Raised by a model validator to report cross-field mistakes at their exact key paths."""

    def __init__(self, conflicts: Sequence[tuple[Loc, str]]) -> None:
        self.conflicts = tuple(conflicts)
        super().__init__("; ".join(f"{key_path(loc)}: {reason}" for loc, reason in self.conflicts))


def _int_as_text(value: object) -> object:
    # Room numbers and partner codes are often written unquoted (101, 1001); they are text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


CodeText = Annotated[str, BeforeValidator(_int_as_text), Field(min_length=1, max_length=64)]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars and duplicate keys refused.

    YAML 1.1 reads ``NO``/``on``/``yes`` as booleans and ``0101`` as octal 65: a country code,
    a rate plan code or a room number would silently change. Only true/false are booleans here,
    and integers with a leading zero stay text.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        """Build a mapping, refusing a key that appears twice (PyYAML would keep the last)."""
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int)) and key in seen:
                first = seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _INT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data, and its node tree to find the line of any key path."""

    path: Path
    data: object
    root: yaml.Node | None

    def line_of(self, loc: Loc) -> int | None:
        """The 1-based line of the deepest node along ``loc`` (a missing key points at its parent)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            # A key's own line reads better than where its block value happens to start.
            mark_node, node = found
            line = mark_node.start_mark.line
        return line + 1

    def problem(self, loc: Loc, reason: str, severity: Severity = "error") -> FileProblem:
        """A problem at ``loc`` in this file, with its line."""
        return FileProblem(
            file=self.path,
            key=self.key_path(loc),
            reason=reason,
            line=self.line_of(loc),
            severity=severity,
        )

    def key_path(self, loc: Loc) -> str:
        """Render ``loc`` as a key path, telling a mapping key ``1`` from a list index ``[1]``."""
        node = self.root
        parts: list[str | int] = []
        for part in loc:
            in_mapping = isinstance(node, yaml.MappingNode)
            parts.append(str(part) if in_mapping else part)
            found = _child(node, part) if node is not None else None
            node = found[1] if found is not None else None
        return key_path(parts)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """The (node to point at, value node) of one step into a mapping or a sequence."""
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        items: list[yaml.Node] = node.value
        return (items[part], items[part]) if 0 <= part < len(items) else None
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for key_node, value_node in pairs:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    return None


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse one YAML file; raise SourceError (with the line) if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError([FileProblem(file=path, key="", reason="file not found")]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError([FileProblem(file=path, key="", reason=f"cannot read: {err}")]) from err
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        reason = " ".join(part for part in (err.context, err.problem) if part)
        line = mark.line + 1 if mark is not None else None
        problem = FileProblem(file=path, key="", reason=f"YAML syntax: {reason}", line=line)
        raise SourceError([problem]) from err
    except yaml.YAMLError as err:
        raise SourceError([FileProblem(file=path, key="", reason=f"YAML: {err}")]) from err
    finally:
        loader.dispose()
    if data is None:
        raise SourceError([FileProblem(file=path, key="", reason="file is empty")])
    if not isinstance(data, dict):
        raise SourceError(
            [FileProblem(file=path, key="", reason="expected a mapping of keys at the top", line=1)]
        )
    return YamlDocument(path=path, data=data, root=root)


def key_path(loc: Iterable[str | int]) -> str:
    """Render a location as ``partners[1].credentials.username``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_\-]+", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


def validation_problems(doc: YamlDocument, err: ValidationError) -> list[FileProblem]:
    """Turn pydantic's errors into problems at key paths, expanding Conflicts raised by models."""
    problems: list[FileProblem] = []
    errors = err.errors(include_url=False)
    failed = [tuple(error["loc"]) for error in errors]
    for error in errors:
        loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
        if error["type"] == "too_short" and any(
            other[: len(loc)] == loc and len(other) > len(loc) for other in failed
        ):
            continue  # "at least 1 item after validation" only echoes the items' own errors
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, Conflicts):
            problems.extend(doc.problem(loc + sub, reason) for sub, reason in cause.conflicts)
            continue
        problems.append(doc.problem(loc, _reason(error["type"], error["msg"], error["loc"])))
    return problems


def _reason(kind: str, message: str, loc: Sequence[str | int]) -> str:
    if kind == "extra_forbidden":
        return "unknown key (check its spelling and indentation)"
    if kind == "missing":
        return "required key is missing"
    if "[key]" in loc:
        message = f"key: {message}"
    return message.removeprefix("Value error, ")
