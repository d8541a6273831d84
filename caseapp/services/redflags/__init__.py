"""Red-flag checklists: templates, per-case answers, risk score, suggestions."""
