"""Export PDF: the options dialog, the export in the background, the preview, the history tab.

:mod:`caseapp.ui.export.actions` registers the "Export PDF…" case action (Ctrl+E) and the
"Exports" case tab; it is the module listed in :mod:`caseapp.ui.plugins`.
"""
