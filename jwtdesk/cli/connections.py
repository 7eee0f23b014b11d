"""``jwtdesk connections new|list|show|test|delete``: named Redis connections.

The index keeps the URL (without a password), database, username, TLS files and key schema;
the password goes to the OS keyring. A password given in ``--url`` is moved there, never shown.
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
    from jwtdesk.core.connections import Connection
    from jwtdesk.services.revocation import RevocationService


def register(sub: Any, argv: Sequence[str]) -> None:
    register_actions(
        sub,
        argv,
        "connections",
        "named Redis connections for revocation (password in the OS keyring)",
        {
            "new": ("add a Redis connection", _build_new),
            "list": ("list connections", _build_list),
            "show": ("show a connection (never its password)", _build_show),
            "test": ("ping it and sample entries' TTLs; exit 1 if unreachable", _build_test),
            "delete": ("delete a connection and its password", _build_delete),
        },
    )


def _build_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--url", required=True, help="redis://host:6379/0, or rediss://… for TLS")
    p.add_argument("--service", default="", help="the service this Redis serves")
    p.add_argument("--env", default="", help="its environment (prod, staging…)")
    p.add_argument("--db", type=int, help="database number (default: the URL's, else 0)")
    p.add_argument("--username", help="ACL user (default: the URL's)")
    pw = p.add_mutually_exclusive_group()
    pw.add_argument("--password", action="store_true", help="ask for the password")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--cluster", action="store_true", help="the URL is a node of a Redis Cluster")
    p.add_argument("--ca-file", default="", help="TLS: CA certificate(s) to trust (PEM)")
    p.add_argument("--cert-file", default="", help="TLS: client certificate (PEM)")
    p.add_argument("--key-file", default="", help="TLS: the client certificate's key (PEM)")
    p.add_argument("--timeout", type=float, default=2.0, help="seconds per call (2)")
    p.add_argument(
        "--max-lifetime", default="7d", help="longest token lifetime: cut-offs' TTL (7d)"
    )
    p.add_argument("--user-claim", default="sub", help="the claim naming the user (sub)")
    schema_options(p)
    json_flag(p)
    p.set_defaults(handler=cmd_new)


def schema_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prefix", default="", help="prefix of every key (none)")
    p.add_argument("--blacklist-key", default="blacklist:{token}", help="(blacklist:{token})")
    p.add_argument("--user-key", default="user_revoke:{id}", help="(user_revoke:{id})")
    p.add_argument("--global-key", default="global_revoke_before", help="(global_revoke_before)")
    p.add_argument(
        "--key-by",
        choices=("token", "jti", "sha256"),
        default="token",
        help="what {token} is: the raw token (the guides'), its jti, or its SHA-256",
    )


def schema_from(args: argparse.Namespace) -> Any:
    from jwtdesk.core.revocation import KeySchema, parse_mode

    return KeySchema(
        prefix=args.prefix,
        blacklist=args.blacklist_key,
        user=args.user_key,
        cutoff=args.global_key,
        mode=parse_mode(args.key_by),
    )


def _build_list(p: argparse.ArgumentParser) -> None:
    json_flag(p)
    p.set_defaults(handler=cmd_list)


def _build_show(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    json_flag(p)
    p.set_defaults(handler=cmd_show)


def _build_test(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    json_flag(p)
    p.set_defaults(handler=cmd_test)


def _build_delete(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    json_flag(p)
    p.set_defaults(handler=cmd_delete)


def revocation_service() -> RevocationService:
    from jwtdesk.services import default_key_service
    from jwtdesk.services.revocation import RevocationService

    return RevocationService(default_key_service())


def connection_json(c: Connection) -> dict[str, Any]:
    doc = c.to_json()
    doc["password"] = "in the OS keyring" if doc.pop("secret_id") else None
    return doc


def _password(args: argparse.Namespace, from_url: str | None) -> Any:
    from jwtdesk.core.errors import UsageError
    from jwtdesk.core.secret import Secret

    if args.password_stdin:
        text = sys.stdin.readline().rstrip("\n")
    elif args.password:
        if not sys.stdin.isatty():
            raise UsageError("--password asks on a terminal; in scripts use --password-stdin")
        import getpass

        text = getpass.getpass("Redis password: ")
    else:
        text = from_url or ""
    return Secret(text.encode("utf-8")) if text else None


def cmd_new(args: argparse.Namespace) -> int:
    from jwtdesk.core.connections import Connection, parse_url
    from jwtdesk.core.tokens import parse_duration

    parsed = parse_url(args.url)
    conn = Connection(
        name=args.name,
        url=parsed.url,
        service=args.service,
        environment=args.env,
        db=args.db if args.db is not None else parsed.db or 0,
        username=args.username if args.username is not None else parsed.username,
        cluster=args.cluster,
        ca_file=args.ca_file,
        cert_file=args.cert_file,
        key_file=args.key_file,
        timeout_s=args.timeout,
        max_lifetime_s=int(parse_duration(args.max_lifetime).total_seconds()),
        user_claim=args.user_claim,
        schema=schema_from(args),
    )
    stored = revocation_service().create_connection(conn, _password(args, parsed.password))
    if args.json:
        out.emit_json(connection_json(stored))
    else:
        where = "in the OS keyring" if stored.secret_id else "none"
        print(f"added connection {stored.name}: {stored.url} db {stored.db}, password {where}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    conns = revocation_service().connections()
    if args.json:
        out.emit_json({"connections": [connection_json(c) for c in conns]})
        return 0
    if not conns:
        print("No Redis connections yet. Add one: jwtdesk connections new NAME --url redis://…")
        return 0
    rows = [
        [
            c.name,
            c.service or "-",
            c.environment or "-",
            c.url + ("" if c.cluster else f"/{c.db}"),
            "cluster" if c.cluster else "single",
            c.schema.mode.value,
        ]
        for c in conns
    ]
    print(out.table(["NAME", "SERVICE", "ENV", "URL", "KIND", "KEY BY"], rows))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    conn = revocation_service().connection(args.name)
    doc = connection_json(conn)
    if args.json:
        out.emit_json(doc)
        return 0
    schema = doc.pop("schema")
    for key, value in doc.items():
        print(f"{key:<17} {value if value not in ('', None) else '-'}")
    for key, value in schema.items():
        print(f"{'schema.' + key:<17} {value or '-'}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    svc = revocation_service()
    health = svc.health(svc.target(args.name))
    if args.json:
        out.emit_json(
            {
                "reachable": health.reachable,
                "detail": health.detail,
                "masters": list(health.masters),
                "sampled": health.sampled,
                "without_ttl": list(health.without_ttl),
            }
        )
    else:
        print(("ok  " if health.reachable else "FAIL") + f"  {args.name}: {health.detail}")
        for key in health.without_ttl:
            print(f"      no TTL: {key}")
    return 0 if health.reachable else 1


def cmd_delete(args: argparse.Namespace) -> int:
    conn = revocation_service().delete_connection(args.name)
    if args.json:
        out.emit_json(connection_json(conn))
    else:
        print(f"deleted connection {conn.name} (Redis itself is not touched)")
    return 0
