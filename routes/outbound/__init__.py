"""The one outbound HTTP seam every partner client goes through: client, limits, breaker, errors."""
