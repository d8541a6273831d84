"""The case file: what the PDF shows, the export, the production folder."""
