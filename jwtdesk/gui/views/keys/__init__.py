"""The Keys view and its parts."""
