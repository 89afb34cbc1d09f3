"""One package per partner kind: wire format <-> canonical, and the partner's client."""
