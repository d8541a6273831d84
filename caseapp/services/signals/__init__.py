"""Signals: import sign-in logs and endpoint inventories, run the rules, manage findings."""
