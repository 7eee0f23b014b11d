"""Data files shipped with jwtdesk (the built-in weak-secret list and its licence)."""
