"""``python -m jwtdesk``."""

from jwtdesk.cli import run

# Guarded: the audit's worker processes (spawn) import the main module under another name.
if __name__ == "__main__":
    run()
