"""``python -m jwtdesk``."""

import sys

from jwtdesk.cli import main

sys.exit(main())
