"""Maintenance: start-up, verify, backup and restore, keys, the audit log, demo data."""
