"""Signals: sign-in logs and endpoint inventories parsed into rows, and detection rules.

Pure code: parsers take text, rules take rows and reference data (no Qt, no file or network
I/O). The services in :mod:`caseapp.services.signals` read files, load the shipped data sets
and store the results.
"""
