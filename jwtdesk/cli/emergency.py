"""``jwtdesk emergency SERVICE [--dry-run] [--yes] [--json]``: the leaked-key runbook.

Rotates every keyset of SERVICE (retiring the previous, possibly leaked, keys), sets the
global cut-off to now on the service's Redis, re-exports its env files and JWKS, and writes a
report. Checks first: Redis unreachable stops it before anything changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jwtdesk.services.emergency import Outcome, Step

EXIT = """exit codes:
  0   done (or, with --dry-run, every check passed)
  1   stopped: the report says which steps were done and which were not
  2   usage error"""
_MARK = {"ok": "ok  ", "failed": "FAIL", "not run": "----", "planned": "plan"}


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser(
        "emergency",
        help="leaked keys: rotate a service's keysets, void its tokens, re-export, report",
        description="Rotates every keyset of SERVICE and retires the previous (possibly "
        "leaked) keys, sets the global cut-off to now on the service's Redis, re-exports its env "
        "files and JWKS, and writes a report. Everything is checked first: an unreachable Redis "
        "stops it before anything changes.",
        epilog=EXIT,
    )
    if argv[:1] != ["emergency"]:
        return
    p.add_argument("service", help="the service (keysets' --service label)")
    p.add_argument("--dry-run", action="store_true", help="check and show each step; no change")
    p.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    p.add_argument("--out", metavar="DIR", help="where files and report go (a new directory)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--connection", metavar="NAME", help="default: the service's connection")
    where.add_argument("--redis", metavar="URL", help="redis[s]://[:password@]host:port[/db]")
    p.add_argument("--cluster", action="store_true", help="with --redis: a Redis Cluster node")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_emergency)


def cmd_emergency(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jwtdesk.cli.connections import revocation_service
    from jwtdesk.core.errors import Cancelled
    from jwtdesk.services.emergency import EmergencyService
    from jwtdesk.services.revocation import adhoc_connection

    rev = revocation_service()
    if args.redis:
        target = adhoc_connection(args.redis, cluster=args.cluster)
    else:
        target = rev.target(args.connection or rev.for_service(args.service).name)
    svc = EmergencyService(rev)
    directory = Path(args.out) if args.out else svc.default_directory(args.service)
    if not args.dry_run and not args.yes:
        if not out.is_terminal():
            raise Cancelled("the emergency response rotates keys and voids tokens; pass --yes")
        plan = svc.run(args.service, target, directory, dry_run=True)
        _print(plan)
        if not plan.ok:
            return 1
        if out.ask(f"Type the service name ({args.service}) to run these steps: ") != args.service:
            raise Cancelled("nothing was changed")
    show = None if args.json or args.dry_run else _print_step
    outcome = svc.run(args.service, target, directory, dry_run=args.dry_run, progress=show)
    if args.json:
        out.emit_json(outcome.to_json())
    elif args.dry_run:
        _print(outcome)
    else:
        _print_summary(outcome)
    return 0 if outcome.ok else 1


def _print_step(step: Step) -> None:
    from jwtdesk.cli.fixes import FIXES

    fix = f"; {FIXES[step.fix].text}" if step.fix else ""
    detail = f" — {step.detail}{fix}" if step.detail else ""
    print(f"  {_MARK.get(step.status, step.status)}  {step.title}{detail}", flush=True)


def _print(outcome: Outcome) -> None:
    print(f"Emergency response for {outcome.service} (dry run: nothing changes)")
    for step in outcome.steps:
        _print_step(step)
    _print_summary(outcome)


def _print_summary(o: Outcome) -> None:
    if o.dry_run:
        verdict = "checks passed; run without --dry-run" if o.ok else "a check failed"
        print(f"dry run: {verdict}")
        return
    done = [s.title for s in o.steps if s.status == "ok" and s.irreversible]
    not_done = [s.title for s in o.steps if s.status != "ok"]
    print("DONE" if o.ok else "STOPPED")
    print("done: " + ("; ".join(done) if done else "nothing was changed"))
    if not_done:
        print("not done: " + "; ".join(not_done))
    for line in o.to_deploy:
        print(f"to deploy: {line}")
    for path in o.report_files:
        print(f"report: {path}")
