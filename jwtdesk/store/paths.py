"""Where jwtdesk keeps its files. Imports next to nothing: the `keys list` fast path uses it."""

from __future__ import annotations

import os

# Not `from typing import TYPE_CHECKING`: importing typing costs start-up time (see cli).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def home_str() -> str:
    """``$JWTDESK_HOME`` or the platform's user data directory, as a string."""
    env = os.environ.get("JWTDESK_HOME")
    if env:
        return env
    import platformdirs

    return platformdirs.user_data_dir("jwtdesk", appauthor=False)


def home_dir() -> Path:
    """``$JWTDESK_HOME`` or the platform's user data directory."""
    from pathlib import Path

    return Path(home_str())
