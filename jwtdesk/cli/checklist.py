"""``jwtdesk checklist [SERVICE] [--json]``: the security checklist, evaluated."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out

EPILOG = """Each item is pass, fail or unknown, with its reason and the fix (a command where
jwtdesk can do it). Items jwtdesk cannot see (HTTPS, cookies, CSRF, rate limits, logging) are
always "unknown — check yourself". Secrets are read from the keyring to test them and never
printed; shared secrets are found by comparing keyed hashes made for this run only.

exit codes:
  0   nothing failed (unknown items do not fail)
  1   at least one item failed, or an error
  2   usage error"""

_MARK = {"pass": "ok  ", "fail": "FAIL", "unknown": " ?  "}


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser("checklist", help="evaluate the JWT security checklist", description=EPILOG)
    if argv[:1] != ["checklist"]:
        return
    p.add_argument("service", nargs="?", help="only the keysets of this service")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_checklist)


def item_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "area": item.area,
        "title": item.title,
        "status": item.status.value,
        "reason": item.reason,
        "fix": item.fix,
        "commands": [a.command for a in item.actions],
    }


def cmd_checklist(args: argparse.Namespace) -> int:
    from jwtdesk.core.checklist_more import failed
    from jwtdesk.services import default_key_service
    from jwtdesk.services.revocation import evaluate_checklist

    items = evaluate_checklist(default_key_service(), args.service)
    if args.json:
        counts = {s: sum(1 for i in items if i.status.value == s) for s in _MARK}
        out.emit_json(
            {"service": args.service, "items": [item_json(i) for i in items], "counts": counts}
        )
    else:
        area = None
        for item in items:
            if item.area != area:
                area = item.area
                print(f"{area}:")
            print(f"  {_MARK[item.status.value]}  {item.title}")
            print(f"        {item.reason}")
            if item.status.value != "pass" and item.fix:
                print(f"        fix: {item.fix}")
            for action in item.actions if item.status.value != "pass" else ():
                print(f"        run: {action.command}")
    return 1 if failed(items) else 0
