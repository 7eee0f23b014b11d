"""The Checklist view and its parts."""
