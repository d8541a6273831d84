"""Navigation pages (registered in :mod:`caseapp.ui.plugins`)."""
