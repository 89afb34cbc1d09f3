"""The hub's language: pydantic v2 models and the message envelope (imports nothing else of ours)."""
