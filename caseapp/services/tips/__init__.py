"""Tips: intake, grading, triage, de-duplication, CSV import, links to cases."""
