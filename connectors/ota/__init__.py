"""connectors/ota."""
