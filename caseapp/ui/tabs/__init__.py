"""Case-view tabs (registered in :mod:`caseapp.ui.plugins`)."""
