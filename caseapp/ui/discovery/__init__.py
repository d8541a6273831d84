"""The Search page and the Links tab."""
