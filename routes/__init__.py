"""Which message goes where: routing table, topology, delivery policies, outbox relay, dead letters."""

# Table modules beside tables.py add to its MetaData when imported: imported here, so whoever
# reads routes.tables.metadata (hub/schema.py, create_all) sees every table.
from routes import payment_tables as payment_tables
