"""The Evidence tab of a case."""
