"""Cases, their subjects and identifiers, notes and the case list."""
