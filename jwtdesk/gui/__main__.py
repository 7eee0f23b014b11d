"""``python -m jwtdesk.gui`` starts the desktop app."""

from jwtdesk.gui.app import main

# Guarded: the audit's worker processes (spawn) import the main module under another name.
if __name__ == "__main__":
    raise SystemExit(main())
