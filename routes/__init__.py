"""Which message goes where: routing table, topology, delivery policies, outbox relay, dead letters."""
