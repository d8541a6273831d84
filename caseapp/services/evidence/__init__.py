"""Evidence: ingest into the vault, chain of custody, open, export, verify, withdraw."""
