"""The Inspect view and its parts."""
