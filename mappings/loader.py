"""Load one partner mapping file (``mappings/<kind>/<partner>.yaml``) into a PartnerMapping."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from mappings.errors import MappingFileError
from mappings.model import PartnerMapping
from mappings.source import SourceError, YamlDocument, read_yaml, validation_problems


def load_mapping(path: Path | str) -> PartnerMapping:
    """Read and validate a mapping file; raise MappingFileError naming file, line, key and reason."""
    return parse_mapping(read_mapping_document(path))


def read_mapping_document(path: Path | str) -> YamlDocument:
    """Parse a mapping file's YAML (kept for line numbers); raise MappingFileError if unreadable."""
    try:
        return read_yaml(Path(path))
    except SourceError as err:
        raise MappingFileError(err.problems) from err


def parse_mapping(doc: YamlDocument) -> PartnerMapping:
    """Validate a parsed mapping document; raise MappingFileError with every problem found."""
    try:
        return PartnerMapping.model_validate(doc.data)
    except ValidationError as err:
        raise MappingFileError(validation_problems(doc, err)) from err
