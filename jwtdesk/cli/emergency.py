"""placeholder"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def register(sub: Any, argv: Sequence[str]) -> None:
    return None
