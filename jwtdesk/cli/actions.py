"""Registering a command with actions (``jwtdesk profiles new|list|...``) lazily: only the
action named on the command line gets its arguments built (start-up time)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Builder = Callable[[argparse.ArgumentParser], None]
_HELP = {"-h", "--help"}


def register(
    sub: Any,
    argv: Sequence[str],
    command: str,
    help_text: str,
    actions: Mapping[str, tuple[str, Builder]],
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(command, help=help_text, description=help_text)
    asub = parser.add_subparsers(
        dest=f"{command}_action", metavar="ACTION", required=True, prog=f"jwtdesk {command}"
    )
    wanted = argv[1] if len(argv) > 1 and argv[0] == command else None
    if wanted is not None and wanted in actions and not _HELP.intersection(argv):
        text, build = actions[wanted]
        build(asub.add_parser(wanted, help=text, description=text))
        return parser
    for action, (text, build) in actions.items():
        p = asub.add_parser(action, help=text, description=text)
        if wanted == action:
            build(p)
    return parser


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document")


# The export formats (jwtdesk.core.envfile.Format), spelled out so that building the parser
# does not import the format code; tests/cli/test_export_cli.py checks they agree.
EXPORT_FORMATS = ("dotenv", "shell", "docker", "json", "k8s", "systemd")


def export_service() -> Any:
    """The ExportService over the user's index and keyring (imported when a command runs)."""
    from jwtdesk.services import default_key_service
    from jwtdesk.services.export import ExportService

    return ExportService(default_key_service())
