"""Mapping errors: a mapping file that cannot be used, and a partner code that is not mapped.

SourceError              (mappings.source) a file with problems, each with file/line/key/reason
 +-- MappingFileError    a partner mapping file that failed to load
PermanentError           (canonical.errors) dead letter at once
 +-- UnmappedCodeError   a partner sent a code its mapping does not know
"""

from __future__ import annotations

from canonical.errors import PermanentError
from mappings.source import SourceError


class MappingFileError(SourceError):
    """A partner mapping file is missing, not valid YAML, or not a valid mapping."""


class UnmappedCodeError(PermanentError):
    """A partner code has no hub code in that partner's mapping: never guessed, never defaulted."""

    def __init__(self, *, partner: str, property_code: str | None, what: str, code: str) -> None:
        self.partner = partner
        self.property_code = property_code
        self.what = what
        self.code = code
        scope = f" for property {property_code}" if property_code else ""
        super().__init__(f"partner {partner} sent unmapped {what} code {code!r}{scope}")
