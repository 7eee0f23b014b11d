"""``jwtdesk revoke token|user|global|list|count|check``: revocation state on a service's Redis.

Every entry is written with a TTL. ``revoke check`` exits 0 when the token is not revoked and
1 when it is revoked or the check failed. A password in ``--redis URL`` is used, never shown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.cli.actions import json_flag
from jwtdesk.cli.actions import register as register_actions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jwtdesk.services.revocation import Target, Written

CHECK_EXIT = """exit codes: 0 not revoked, 1 revoked (or the check failed), 2 usage error"""


def register(sub: Any, argv: Sequence[str]) -> None:
    register_actions(
        sub,
        argv,
        "revoke",
        "revoke tokens, users or everything on a service's Redis; list, count, check",
        {
            "token": ("blacklist a token until it expires (TTL = exp - now)", _build_token),
            "user": ("void a user's tokens issued before now (or --before)", _build_user),
            "global": ("set, show (--show) or clear (--clear) the global cut-off", _build_global),
            "list": ("list revocation entries (SCAN, every master of a cluster)", _build_list),
            "count": ("count revocation entries by kind", _build_count),
            "check": ("is a token revoked, and by which rule? " + CHECK_EXIT, _build_check),
        },
    )


def target_options(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--connection", metavar="NAME", help="a stored connection")
    where.add_argument(
        "--redis", metavar="URL", help="redis[s]://[:password@]host:port[/db], used once"
    )
    p.add_argument("--cluster", action="store_true", help="with --redis: a Redis Cluster node")
    p.add_argument("--timeout", type=float, default=2.0, help="with --redis: seconds (2)")
    p.add_argument(
        "--key-by",
        choices=("token", "jti", "sha256"),
        help="with --redis: what the blacklist is keyed by (token)",
    )
    p.add_argument("--prefix", help="with --redis: the key prefix (none)")
    json_flag(p)


def _build_token(p: argparse.ArgumentParser) -> None:
    p.add_argument("token", help="the token, or - for stdin")
    p.add_argument("--ttl", type=int, metavar="S", help="seconds; required if it has no exp")
    target_options(p)
    p.set_defaults(handler=cmd_token)


def _build_user(p: argparse.ArgumentParser) -> None:
    p.add_argument("user", metavar="ID", help="the user id (the tokens' sub)")
    p.add_argument(
        "--before",
        metavar="ISO",
        help="void tokens issued before this (now); relative: --before=-1h",
    )
    target_options(p)
    p.set_defaults(handler=cmd_user)


def _build_global(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group()
    what.add_argument("--clear", action="store_true", help="remove the cut-off")
    what.add_argument("--show", action="store_true", help="show the cut-off, change nothing")
    what.add_argument("--before", metavar="ISO", help="cut-off time (default now)")
    p.add_argument("--yes", action="store_true", help="do not ask on a terminal")
    target_options(p)
    p.set_defaults(handler=cmd_global)


def _build_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=1000, help="at most this many (1000)")
    target_options(p)
    p.set_defaults(handler=cmd_list)


def _build_count(p: argparse.ArgumentParser) -> None:
    target_options(p)
    p.set_defaults(handler=cmd_count)


def _build_check(p: argparse.ArgumentParser) -> None:
    p.epilog = CHECK_EXIT
    p.add_argument("token", help="the token, or - for stdin")
    target_options(p)
    p.set_defaults(handler=cmd_check)


def _service() -> Any:
    from jwtdesk.cli.connections import revocation_service

    return revocation_service()


def resolve(args: argparse.Namespace, svc: Any) -> Target:
    """The target of ``--connection NAME`` or ``--redis URL``."""
    from dataclasses import replace

    from jwtdesk.core.errors import UsageError
    from jwtdesk.core.revocation import KeySchema, parse_mode
    from jwtdesk.services.revocation import Target, adhoc_connection

    if args.connection:
        if args.cluster or args.key_by or args.prefix is not None:
            raise UsageError(
                "--cluster, --key-by and --prefix go with --redis; a connection has its own"
            )
        target: Target = svc.target(args.connection)
        return target
    adhoc = adhoc_connection(args.redis, cluster=args.cluster, timeout_s=args.timeout)
    schema = KeySchema(prefix=args.prefix or "", mode=parse_mode(args.key_by or "token"))
    return Target(replace(adhoc.conn, schema=schema), adhoc.password)


def _token_arg(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    return text.strip()


def _written(args: argparse.Namespace, target: Target, w: Written, verb: str) -> int:
    if args.json:
        out.emit_json(
            {
                "connection": target.conn.name,
                "redis": target.conn.url,
                "key": w.key,
                "value": w.value,
                "ttl_s": w.ttl_s,
                "changed": w.changed,
            }
        )
    elif w.changed:
        print(f"{verb}: {w.key} = {w.value}, TTL {w.ttl_s} s")
    else:
        print(f"kept: {w.key} already holds a later cut-off ({w.value}), TTL {w.ttl_s} s")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    svc = _service()
    target = resolve(args, svc)
    written = svc.revoke_token(target, _token_arg(args.token), args.ttl)
    return _written(args, target, written, "revoked")


def cmd_user(args: argparse.Namespace) -> int:
    svc = _service()
    target = resolve(args, svc)
    return _written(args, target, svc.revoke_user(target, args.user, args.before), "revoked")


def cmd_global(args: argparse.Namespace) -> int:
    from jwtdesk.core.errors import Cancelled

    svc = _service()
    target = resolve(args, svc)
    if args.show:
        entry = svc.show_global(target)
        if args.json:
            out.emit_json({"key": entry.key, "value": entry.value, "ttl_s": entry.ttl_s})
        elif entry.value is None:
            print(f"{entry.key} is not set")
        else:
            print(f"{entry.key} = {entry.value} ({_utc(entry.value)}), TTL {entry.ttl_s} s")
        return 0
    if args.clear:
        removed = svc.clear_global(target)
        if args.json:
            out.emit_json({"key": target.conn.schema.cutoff_key, "cleared": removed})
        else:
            print(("cleared " if removed else "was not set: ") + target.conn.schema.cutoff_key)
        return 0
    if out.is_terminal() and not args.yes:
        prompt = (
            f"Void EVERY token issued before {args.before or 'now'} on {target.conn.name}? [y/N] "
        )
        if not out.confirm(prompt):
            raise Cancelled("nothing was changed")
    return _written(args, target, svc.set_global(target, args.before), "set")


def cmd_list(args: argparse.Namespace) -> int:
    svc = _service()
    entries, more = svc.entries(resolve(args, svc), max(1, args.limit))
    if args.json:
        out.emit_json(
            {
                "entries": [
                    {"kind": e.kind, "key": e.key, "value": e.value, "ttl_s": e.ttl_s}
                    for e in entries
                ],
                "truncated": more,
            }
        )
        return 0
    if not entries:
        print("No revocation entries.")
        return 0
    rows = [
        [
            e.kind,
            e.key,
            f"{e.value} ({_utc(e.value)})" if e.kind != "blacklist" and e.value else e.value or "-",
            str(e.ttl_s),
        ]
        for e in entries
    ]
    print(out.table(["KIND", "KEY", "VALUE", "TTL S"], rows))
    if more:
        print(f"(first {len(entries)}; raise --limit or use `revoke count`)")
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    svc = _service()
    counts = svc.count(resolve(args, svc))
    if args.json:
        out.emit_json(counts | {"total": sum(counts.values())})
    else:
        print("  ".join(f"{k} {v}" for k, v in counts.items()) + f"  total {sum(counts.values())}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from jwtdesk.services.revocation import verdict_json

    svc = _service()
    target = resolve(args, svc)
    verdict = svc.check(target, _token_arg(args.token))
    if args.json:
        out.emit_json(verdict_json(verdict) | {"connection": target.conn.name})
    else:
        head = f"REVOKED ({verdict.rule.value})" if verdict.rule else "NOT REVOKED"
        print(f"{head}  on {target.conn.name} ({target.conn.address})")
        marks = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}
        for c in verdict.checks:
            print(f"  {marks[c.status]}  {c.name:<14} {c.reason}")
    return 1 if verdict.revoked else 0


def _utc(value: str) -> str:
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        return "?"
