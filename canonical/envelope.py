"""Envelope[T]: the wrapper every message travels in, and the registry of message types."""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, Field

from canonical.base import AwareDatetime, Frozen, utcnow

T = TypeVar("T", bound=BaseModel)


class Envelope(Frozen, Generic[T]):
    """A canonical message with its identity, lineage and schema version."""

    message_id: UUID = Field(default_factory=uuid4)
    message_type: str
    schema_version: int = 1
    correlation_id: str
    causation_id: str | None = None
    property_code: str | None = None
    occurred_at: AwareDatetime = Field(default_factory=utcnow)
    payload: T

    def child(self, message_type: str, payload: BaseModel) -> Envelope[Any]:
        """Build a message caused by this one: same correlation, causation = this message."""
        # Any, not BaseModel: pydantic then serialises the payload by its own class, every field.
        return Envelope[Any](
            message_type=message_type,
            correlation_id=self.correlation_id,
            causation_id=str(self.message_id),
            property_code=self.property_code,
            payload=payload,
        )
