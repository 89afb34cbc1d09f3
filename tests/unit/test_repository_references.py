"""Comments and docs name only files the repository has: a reader can open every path they cite."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# not the repository's own text: tools' caches, builds and what a local run leaves (.gitignore)
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".import_linter_cache",
    ".hotelhub",
    "node_modules",
    "build",
    "dist",
}
TEXT_SUFFIXES = {".md", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".txt", ".mako", ".sh", ".example"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run"}  # .ci/run
_EXTENSIONS = r"(?:py|md|ya?ml|toml|json|ini|cfg|txt|sql|xml|xsd|wsdl|sh|mako|csv)"
# a path with at least one folder (routes/ingress.py, docs/ota.md), or a bare capitalised
# document name (README.md); not the tail of a longer word, path or module name
_PATH = re.compile(
    rf"(?<![\w./-])((?:\.{{1,2}}/)?(?:[\w.-]+/)+[\w.-]+\.{_EXTENSIONS})(?![\w/-])"
    rf"|(?<![\w./-])([A-Z][A-Z0-9_-]*\.md)(?![\w/-])"
)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
_FENCE = re.compile(r"^\s*(```|~~~)")


def named_paths(text: str) -> Iterator[str]:
    """Every file path the text names, URLs left out."""
    for found in _PATH.finditer(_URL.sub(" ", text)):
        yield found.group(1) or found.group(2)


def markdown_prose(text: str) -> str:
    """A Markdown document without its fenced blocks (example config and output, not references)."""
    kept, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return "\n".join(kept)


def python_references(source: str) -> Iterator[str]:
    """Paths a Python file names in its comments and docstrings, and Markdown documents named in its
    other strings (a help text pointing at docs/); other strings are data, such as a test's paths."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
        and isinstance(node.body[0].value.value, str)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            paths = named_paths(node.value)
            yield from (paths if id(node) in docstrings else (p for p in paths if p.endswith(".md")))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield from named_paths(token.string)


def references(path: Path) -> Iterator[str]:
    """The file paths one file of the repository names."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        yield from python_references(text)
    elif path.suffix == ".md":
        yield from named_paths(markdown_prose(text))
    else:
        yield from named_paths(text)


def repository_files(root: Path) -> Iterator[Path]:
    """The repository's source and documentation files."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES | {".py"} or path.name in TEXT_NAMES):
            yield path


def missing_references(root: Path) -> list[str]:
    """`file: path` for each path a comment or doc names that is neither in the repository nor
    beside the file naming it."""
    missing = []
    for path in repository_files(root):
        for named in references(path):
            if not ((root / named).exists() or (path.parent / named).exists()):
                missing.append(f"{path.relative_to(root)}: {named}")
    return missing


def test_given_the_repository_when_comments_and_docs_are_read_then_every_file_they_name_exists() -> None:
    assert missing_references(REPO) == []


def test_given_a_comment_naming_a_missing_design_file_when_checked_then_reported(tmp_path: Path) -> None:
    design = "DESIGN" + ".md"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "architecture.md").write_text("# Architecture\n")
    (tmp_path / "module.py").write_text(
        f'"""Routes (see docs/architecture.md)."""\n\n# as {design} section 2 says\nVALUE = 1\n'
    )

    assert missing_references(tmp_path) == [f"module.py: {design}"]


def test_given_docs_naming_missing_paths_when_checked_then_each_reported_and_urls_and_examples_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "routes").mkdir()
    (tmp_path / "routes" / "ingress.py").write_text('"""The door."""\n')
    missing_doc, missing_module = "docs/" + "gone.md", "routes/" + "gone.py"
    (tmp_path / "README.md").write_text(
        f"See `routes/ingress.py`, [the guide]({missing_doc}#setup) and {missing_module}.\n"
        "Served at https://example.org/docs/none.md.\n"
        "```yaml\nmapping: mappings/example/only.yaml\n```\n"
    )

    assert missing_references(tmp_path) == [f"README.md: {missing_doc}", f"README.md: {missing_module}"]


def test_given_python_strings_when_checked_then_only_docstrings_comments_and_documents_count(
    tmp_path: Path,
) -> None:
    data, doc = "mappings/" + "data.yaml", "docs/" + "missing.md"
    (tmp_path / "cli.py").write_text(f'"""The CLI."""\n\nFIXTURE = "{data}"\nHELP = "read {doc}"\n')

    assert missing_references(tmp_path) == [f"cli.py: {doc}"]
