"""The Audit page and the key dialogs (set-up, recovery code, unlock)."""
