"""The Findings tab: signal-import findings, hour chart and location list of a case."""
