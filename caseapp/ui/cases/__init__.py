"""The Cases page, the case view and its Overview, Subjects and Timeline tabs."""
