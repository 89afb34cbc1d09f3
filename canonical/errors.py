"""The typed error tree every handler raises, so delivery knows whether to retry, dead-letter or pause.

HubError
 +-- TransientError       retry with backoff (timeouts, 5xx, 429, connection loss, DB busy, not yet known);
 |                        `retry_after_s`, when the partner said when (Retry-After), is the next delay
 +-- PermanentError       dead letter at once (validation, unmapped code, business rejection)
 +-- ConfigurationError   the partner refused our credentials or set-up (401/403, OTA auth errors):
                          pause the partner, alert once, keep the message waiting, no retries,
                          until the partner's configuration changes
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub classifies for delivery."""


class TransientError(HubError):
    """May succeed later: retry with backoff, dead-letter when the retries run out."""

    def __init__(self, *args: object, retry_after_s: float | None = None) -> None:
        super().__init__(*args)
        self.retry_after_s = retry_after_s


class PermanentError(HubError):
    """Will never succeed as sent: dead-letter at once with the reason."""


class ConfigurationError(HubError):
    """Will not succeed until someone changes the partner's configuration (credentials, endpoint).

    `partner_id` names the partner to pause when the raiser knows it (the outbound seam does).
    """

    def __init__(self, *args: object, partner_id: str | None = None) -> None:
        super().__init__(*args)
        self.partner_id = partner_id
