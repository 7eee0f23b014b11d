"""``python -m jwtdesk``."""

import sys

from jwtdesk.cli import main

# Guarded: the audit's worker processes (spawn) import the main module under another name.
if __name__ == "__main__":
    sys.exit(main())
