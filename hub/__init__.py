"""The composition root: settings, HTTP app, CLI and wiring."""
