"""pms_core/adapters."""

# Table modules beside tables.py add to its MetaData when imported: imported here, so whoever
# reads pms_core.adapters.tables.metadata (hub/schema.py, create_all) sees every table.
from pms_core.adapters import day_close_tables as day_close_tables
from pms_core.adapters import folio_tables as folio_tables
from pms_core.adapters import stay_tables as stay_tables
