"""The typed error tree every handler raises, so delivery knows whether to retry.

HubError
 +-- TransientError    retry with backoff (timeouts, 5xx, 429, connection loss, DB busy, not yet known)
 +-- PermanentError    dead letter at once (validation, unmapped code, business rejection)
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub classifies for delivery."""


class TransientError(HubError):
    """May succeed later: retry with backoff, dead-letter when the retries run out."""


class PermanentError(HubError):
    """Will never succeed as sent: dead-letter at once with the reason."""
