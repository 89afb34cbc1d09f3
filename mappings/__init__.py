"""Per-partner code maps as data files, and their loader."""
