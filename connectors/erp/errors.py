"""The ERP connector's errors: one base, three branches, each also one of the hub's delivery classes.

    ErpError
     +-- ErpRejected (PermanentError)        never succeeds as sent
     |    +-- DayNotEncodable                a closed day holds an amount finer than its currency
     +-- ErpUnavailable (TransientError)     may work later (a journal push's 5xx, timeout, 429)
     +-- ErpAuthFailed (ConfigurationError)  the ERP refused the hub's credentials: pause, alert

The pull (the ERP calls the hub) raises only DayNotEncodable; the other branches are the journal
push's, which goes through the outbound seam like every partner client.
"""

from __future__ import annotations

from canonical.errors import ConfigurationError, PermanentError, TransientError


class ErpError(Exception):
    """Base of every ERP connector error."""


class ErpRejected(ErpError, PermanentError):
    """The ERP (or the hub's own codec) will never accept this as it is."""


class DayNotEncodable(ErpRejected):
    """A closed day cannot be written without changing it (an amount finer than its currency's exponent)."""

    def __init__(self, property_code: str, business_date: str, reason: str) -> None:
        super().__init__(f"closed day {property_code} {business_date}: {reason}")
        self.property_code = property_code
        self.business_date = business_date


class ErpUnavailable(ErpError, TransientError):
    """The ERP cannot take it now; retry later."""


class ErpAuthFailed(ErpError, ConfigurationError):
    """The ERP refused the hub's credentials: pause the partner and alert."""
