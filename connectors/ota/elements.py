"""Walking a parsed OTA message: an element's children grouped by tag, read in one pass.

Every lxml lookup (`find`, `iterchildren(tag)`) sets up a tag matcher and costs microseconds; a
booking needs some fifty of them. Reading an element's children once into a dict and answering
every later question from it costs about as much as two lookups.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

_NONE: tuple[etree._Element, ...] = ()


class Children:
    """The child elements of one element by tag, in document order (comments and PIs skipped)."""

    __slots__ = ("_by_tag", "_prefix", "element", "namespace")

    _by_tag: dict[object, list[etree._Element]]

    def __init__(self, element: etree._Element, namespace: str | None) -> None:
        self.element = element
        self.namespace = namespace
        # ElementPath's "Name" without a namespace matches only unqualified elements: so does "" + name
        self._prefix = "" if namespace is None else f"{{{namespace}}}"
        # comments, PIs and entities (tag not a str) land under keys no lookup asks for
        by_tag: dict[object, list[etree._Element]] = {}
        for child in element:
            by_tag.setdefault(child.tag, []).append(child)
        self._by_tag = by_tag

    def tag(self, name: str) -> str:
        """The tag an element named `name` has in this element's namespace."""
        return self._prefix + name

    def all(self, name: str) -> Sequence[etree._Element]:
        """Every child named `name`, like `element.findall(name)`."""
        return self._by_tag.get(self._prefix + name, _NONE)

    def first(self, name: str) -> etree._Element | None:
        """The first child named `name`, like `element.find(name)`."""
        found = self._by_tag.get(self._prefix + name)
        return found[0] if found else None

    def of(self, name: str) -> Children | None:
        """The first child named `name`, read as Children, or None."""
        found = self._by_tag.get(self._prefix + name)
        return Children(found[0], self.namespace) if found else None

    def under(self, *names: str) -> list[etree._Element]:
        """Every element at the path `names` below this one, like `element.findall("A/B")`."""
        found = self._by_tag.get(self._prefix + names[0])
        if not found:
            return []  # the usual answer for optional parts (comments, deposits): nothing to walk
        for name in names[1:]:
            tag = self._prefix + name
            below: list[etree._Element] = []
            for parent in found:
                for child in parent:
                    if child.tag == tag:
                        below.append(child)
            if not below:
                return below
            found = below
        return list(found)

    def first_under(self, *names: str) -> etree._Element | None:
        """The first element at the path `names` below this one, like `element.find("A/B")`."""
        found = self.under(*names)
        return found[0] if found else None
