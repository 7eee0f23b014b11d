"""jwtdesk: JWT signing keys in the OS keyring, and the tools to use them safely."""

__version__ = "0.1.0"
