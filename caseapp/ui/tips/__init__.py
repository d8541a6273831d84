"""Widgets of the Tips page and the case Tips tab (registered from :mod:`caseapp.ui.tips.page`)."""
