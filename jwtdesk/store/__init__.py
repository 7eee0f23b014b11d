"""Persistence: the OS keyring for secrets, a JSON index for everything else. No Qt."""
