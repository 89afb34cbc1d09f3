"""pms_core/adapters."""
