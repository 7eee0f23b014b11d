"""``jwtdesk keys new|list|show|rotate|retire|delete|rename``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.core.algorithms import NAMES
from jwtdesk.core.errors import Cancelled
from jwtdesk.core.keysets import KeySet, Purpose, public_jwk
from jwtdesk.services import KeyService, default_key_service, utcnow


def _service() -> KeyService:
    return default_key_service()


_HELP = {"-h", "--help"}
ACTIONS = {
    "new": "create a keyset with a fresh key from the OS CSPRNG",
    "list": "list keysets (reads no secret)",
    "show": "show a keyset and its public key; --reveal prints the secret",
    "rotate": "new current key; current -> previous -> retired",
    "retire": "retire the previous key (or --kid): it verifies nothing",
    "delete": "delete a keyset and its secrets, or a retired --kid",
    "rename": "rename a keyset (its secrets stay where they are)",
}


def register(sub: Any, argv: Sequence[str]) -> None:
    """Add `keys`; only the action named in ``argv`` gets its arguments (start-up time)."""
    keys = sub.add_parser("keys", help="create, list, show, rotate, retire, delete, rename keysets")
    ksub = keys.add_subparsers(
        dest="keys_command", metavar="ACTION", required=True, prog="jwtdesk keys"
    )
    wanted = argv[1] if len(argv) > 1 and argv[0] == "keys" else None
    if wanted in ACTIONS and not _HELP.intersection(argv):
        _BUILDERS[wanted](ksub.add_parser(wanted, help=ACTIONS[wanted]))
        return
    for action, text in ACTIONS.items():
        p = ksub.add_parser(action, help=text)
        if wanted == action:
            _BUILDERS[action](p)


def _build_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="1-64 letters, digits, '-', '_', '.'")
    p.add_argument("--alg", required=True, help="one of: " + ", ".join(NAMES))
    p.add_argument("--size", type=int, help="HMAC: secret bytes (default 64); RSA: 2048/3072/4096")
    p.add_argument("--service", default="", help="the service or app the keyset is for")
    p.add_argument("--env", dest="environment", default="", help="environment, e.g. prod")
    p.add_argument("--purpose", choices=[x.value for x in Purpose], default="custom")
    p.add_argument("--rotate-every", default="90d", help="rotation period, e.g. 30d, 12w")
    p.add_argument("--notes", default="")
    _json(p)
    p.set_defaults(handler=cmd_new)


def _build_list(p: argparse.ArgumentParser) -> None:
    _json(p)
    p.set_defaults(handler=cmd_list)


def _build_show(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Shows public material only. With --reveal, prints only the secret of the current "
        "version (or --kid): the HMAC key text, PKCS#8 PEM for private keys; on a terminal "
        "it asks first."
    )
    p.add_argument("name")
    p.add_argument("--kid", help="a version other than the current one")
    p.add_argument("--format", choices=["pem", "jwk"], default="pem", help="public key format")
    p.add_argument("--reveal", action="store_true", help="print the secret key")
    p.add_argument("--yes", action="store_true", help="reveal without asking")
    _json(p)
    p.set_defaults(handler=cmd_show)


def _build_rotate(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    _json(p)
    p.set_defaults(handler=cmd_rotate)


def _build_retire(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--kid")
    _json(p)
    p.set_defaults(handler=cmd_retire)


def _build_delete(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--kid", help="delete only this retired version's record")
    p.add_argument("--yes", action="store_true", help="do not ask")
    _json(p)
    p.set_defaults(handler=cmd_delete)


def _build_rename(p: argparse.ArgumentParser) -> None:
    p.add_argument("old")
    p.add_argument("new")
    _json(p)
    p.set_defaults(handler=cmd_rename)


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document")


def cmd_new(args: argparse.Namespace) -> int:
    from jwtdesk.core.keysets import parse_period

    ks = _service().create(
        args.name,
        args.alg,
        size=args.size,
        service=args.service,
        environment=args.environment,
        purpose=Purpose(args.purpose),
        rotation_period=parse_period(args.rotate_every),
        notes=args.notes,
    )
    return _report(
        args, ks, f"created {ks.name} ({ks.alg}), kid {ks.current.kid if ks.current else '-'}"
    )


def cmd_list(args: argparse.Namespace) -> int:
    keysets = _service().keysets()
    now = utcnow()
    if args.json:
        out.emit_json({"keysets": [out.keyset_json(k, now) for k in keysets]})
        return 0
    if not keysets:
        print("No keysets yet. Create one: jwtdesk keys new NAME --alg HS256")
        return 0
    rows = []
    for ks in keysets:
        cur = ks.current
        size = ks.algorithm.size_label(cur.size if cur else None)
        rows.append(
            [
                ks.name,
                ks.alg,
                size,
                ks.service or "-",
                ks.environment or "-",
                ks.purpose.value,
                (cur.kid[:12] + "…") if cur else "-",
                str(len(ks.versions)),
                out.age(now - cur.activated) if cur and cur.activated else "-",
                out.short_time(ks.rotate_by()),
                "ROTATION DUE" if ks.rotation_due(now) else "ok",
            ]
        )
    headers = [
        "NAME",
        "ALG",
        "SIZE",
        "SERVICE",
        "ENV",
        "PURPOSE",
        "KID",
        "VERS",
        "AGE",
        "ROTATE BY",
        "STATUS",
    ]
    print(out.table(headers, rows))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    svc = _service()
    ks = svc.get(args.name)
    if args.reveal:
        return _reveal(svc, ks, args)
    version = ks.version(args.kid) if args.kid else ks.current
    now = utcnow()
    doc = out.keyset_json(ks, now)
    public = _public(ks, version, args.format)
    if args.json:
        doc["public_key"] = public
        out.emit_json(doc)
        return 0
    print(f"{ks.name}  {ks.alg}  purpose {ks.purpose.value}  rotate every {doc['rotation_period']}")
    if ks.service or ks.environment:
        print(f"service {ks.service or '-'}  environment {ks.environment or '-'}")
    print(
        f"created {out.short_time(ks.created)}  rotate by {out.short_time(ks.rotate_by())}"
        + ("  ROTATION DUE" if ks.rotation_due(now) else "")
    )
    if ks.notes:
        print(f"notes: {ks.notes}")
    print()
    rows = [
        [v.state.value, v.kid, out.short_time(v.created), out.short_time(v.retired)]
        for v in ks.versions
    ]
    print(out.table(["STATE", "KID", "CREATED", "RETIRED"], rows))
    print()
    if public is None:
        print("secret key: •••••••• (HMAC keys have no public part; --reveal prints the secret)")
    elif isinstance(public, str):
        print(public, end="")
    else:
        print(json.dumps(public, indent=2))
    return 0


def _public(ks: KeySet, version: Any, fmt: str) -> Any:
    from jwtdesk.core import keys as keymod

    if version is None or version.public_jwk is None:
        return None
    if fmt == "pem":
        return keymod.public_pem(version.public_jwk)
    return public_jwk(ks, version)


def _reveal(svc: KeyService, ks: KeySet, args: argparse.Namespace) -> int:
    version = ks.version(args.kid) if args.kid else ks.current
    kid = version.kid if version else "-"
    prompt = f"Print the secret of {ks.name} (kid {kid}) on this terminal? [y/N] "
    if out.is_terminal() and not args.yes and not out.confirm(prompt):
        raise Cancelled("nothing was revealed")
    version, secret = svc.reveal(ks.name, args.kid)
    text = secret.reveal().decode("ascii", errors="replace")
    if args.json:
        out.emit_json({"name": ks.name, "kid": version.kid, "alg": ks.alg, "secret": text})
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    ks = _service().rotate(args.name)
    prev = ks.previous
    return _report(
        args,
        ks,
        f"rotated {ks.name}: current {ks.current.kid if ks.current else '-'}, "
        f"previous {prev.kid if prev else '-'} (still verifies)",
    )


def cmd_retire(args: argparse.Namespace) -> int:
    svc = _service()
    done = svc.retire(args.name, args.kid)
    return _report(
        args, svc.get(args.name), f"retired {done.kid} of {args.name}: it verifies nothing now"
    )


def cmd_delete(args: argparse.Namespace) -> int:
    svc = _service()
    ks = svc.get(args.name)
    if args.kid is None and not args.yes:
        if not out.is_terminal():
            raise Cancelled(f"deleting {ks.name} destroys its keys; pass --yes to confirm")
        sys.stderr.write(f"Deleting {ks.name} destroys {len(ks.versions)} key version(s).\n")
        if out.ask("Type the keyset name to confirm: ") != ks.name:
            raise Cancelled("the name did not match; nothing was deleted")
    svc.delete(args.name, args.kid)
    what = f"version {args.kid} of {args.name}" if args.kid else f"keyset {args.name}"
    if args.json:
        out.emit_json({"deleted": args.name, "kid": args.kid})
    else:
        print(f"deleted {what}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    ks = _service().rename(args.old, args.new)
    return _report(args, ks, f"renamed {args.old} to {ks.name}")


def _report(args: argparse.Namespace, ks: KeySet, text: str) -> int:
    if args.json:
        out.emit_json(out.keyset_json(ks, utcnow()))
    else:
        print(text)
    return 0


_BUILDERS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "new": _build_new,
    "list": _build_list,
    "show": _build_show,
    "rotate": _build_rotate,
    "retire": _build_retire,
    "delete": _build_delete,
    "rename": _build_rename,
}
