"""Validation of what a simulated channel receives against the OTA 2015A XSD of each message."""

from __future__ import annotations

from pathlib import Path

from lxml import etree


class SchemaFolder:
    """A folder of OTA XSDs (OTA_<Message>.xsd), each compiled on first use and kept."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise FileNotFoundError(f"no OTA schema folder at {folder}")
        self.folder = folder
        self._compiled: dict[str, etree.XMLSchema] = {}

    def problem(self, message: etree._Element) -> str | None:
        """The first validation error of a message against its XSD, or None when it is valid."""
        name = etree.QName(message).localname
        schema = self._compiled.get(name)
        if schema is None:
            path = self.folder / f"{name}.xsd"
            if not path.is_file():
                return f"no XSD for {name}"
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            schema = self._compiled[name] = etree.XMLSchema(etree.parse(str(path), parser))
        # A copy as its own document: a message taken out of a SOAP Body keeps the envelope as parent.
        document = etree.ElementTree(etree.fromstring(etree.tostring(message)))
        if schema.validate(document):
            return None
        error = schema.error_log.last_error  # type: ignore[attr-defined]  # lxml-stubs lack it
        return f"line {error.line}: {error.message}" if error is not None else "invalid"
