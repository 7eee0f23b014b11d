"""``jwtdesk lint --list``: the finding catalogue."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser("lint", help="the security lint catalogue (--list)")
    p.add_argument("--list", action="store_true", required=True, help="print every rule")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_lint)


def cmd_lint(args: argparse.Namespace) -> int:
    from jwtdesk.core.lint import CATALOGUE

    if args.json:
        out.emit_json(
            {
                "rules": [
                    {
                        "id": r.id,
                        "severity": r.severity.value,
                        "summary": r.summary,
                        "reference": r.reference,
                    }
                    for r in CATALOGUE
                ]
            }
        )
        return 0
    rows = [[r.id, r.severity.value, r.summary, r.reference] for r in CATALOGUE]
    print(out.table(["ID", "SEVERITY", "RULE", "REFERENCE"], rows))
    return 0
