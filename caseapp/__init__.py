"""caseapp: offline case management for remote-IT-worker identity-fraud investigations."""

__version__ = "0.1.0"
