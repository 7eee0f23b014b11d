"""Entry point of the frozen ``jwtdesk-gui`` app (packaging/jwtdesk.spec)."""

import multiprocessing
import sys

from jwtdesk.gui.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
