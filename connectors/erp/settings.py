"""What the ERP pull serves: its media types, document format name and the longest range one pull reads."""

from __future__ import annotations

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
# What the response says: UTF-8 always, and the CSV's first line is its header (RFC 4180 §3).
JSON_CONTENT_TYPE = "application/json"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"

DOCUMENT_FORMAT = "hotelhub.erp.daily-revenue.v1"  # the JSON document's `format`; a breaking change is v2
MAX_RANGE_DAYS = 92  # a quarter: one pull, one response held in memory, a few hundred kB at most
