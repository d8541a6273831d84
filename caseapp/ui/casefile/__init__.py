"""Export PDF: options dialog, export in the background, preview, Exports tab."""
