"""The Export view and its parts."""
