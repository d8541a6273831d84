"""The Red flags tab and the red-flag templates window."""
