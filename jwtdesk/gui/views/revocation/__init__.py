"""The Revocation view and its parts."""
