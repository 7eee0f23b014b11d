"""The Audit view and its parts."""
