"""The Build view and its parts."""
