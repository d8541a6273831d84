"""Team mode in the app: following colleagues' changes, connecting to a team store."""
