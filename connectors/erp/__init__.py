"""The finance ERP connector: closed business days as the ERP pulls them (JSON or CSV)."""
