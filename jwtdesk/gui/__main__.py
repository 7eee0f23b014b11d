"""``python -m jwtdesk.gui`` starts the desktop app."""

from jwtdesk.gui.app import main

raise SystemExit(main())
