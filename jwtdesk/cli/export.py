"""``jwtdesk export env|jwks|pem|jwk|check``.

Secrets leave only where the user says: ``-o FILE`` (atomic, 0600, not into an un-ignored git
work tree unless --force, not over a symlink) or ``-o -`` (stdout, for piping; a terminal needs
--yes). Public material (JWKS, public PEM or JWK) is meant to be published: it may be written
into a repository without --force. Without ``-o``, ``export env`` prints a preview with every
secret masked.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.cli.actions import EXPORT_FORMATS, export_service, json_flag
from jwtdesk.cli.actions import register as register_actions
from jwtdesk.core.errors import Cancelled, UsageError

EXIT_DRIFT = 3


def register(sub: Any, argv: Sequence[str]) -> None:
    register_actions(
        sub,
        argv,
        "export",
        "export env files, JWKS, PEM and JWK; check a deployed file for drift",
        {
            "env": ("a profile's variables as an env file (masked preview without -o)", _env),
            "jwks": ("the current and previous public keys as a JWKS document", _jwks),
            "pem": ("a public key as PEM (--private: the private key, PKCS#8)", _pem),
            "jwk": ("a public key as JWK (--private: the private or oct JWK)", _jwk),
            "check": (
                "compare an env file or JWKS with what jwtdesk holds (exit 3 on drift)",
                _check,
            ),
        },
    )


def _output(p: argparse.ArgumentParser, secret: bool) -> None:
    p.add_argument("-o", "--output", metavar="FILE", help="write here (0600, atomic); - = stdout")
    if secret:
        p.add_argument(
            "--force",
            action="store_true",
            help="write a secret inside a git work tree even if git does not ignore it",
        )
        p.add_argument("--yes", action="store_true", help="print secrets on a terminal")


def _env(p: argparse.ArgumentParser) -> None:
    p.add_argument("profile")
    p.add_argument("-f", "--format", choices=EXPORT_FORMATS, help="default: the profile's format")
    p.add_argument(
        "--multiline",
        choices=["native", "base64"],
        default="native",
        help="native: each format's own escaping; base64: multi-line values as NAME_B64",
    )
    p.add_argument("--k8s-name", default="jwt-keys", help="metadata.name of the k8s Secret")
    _output(p, secret=True)
    p.set_defaults(handler=cmd_env)


def _jwks(p: argparse.ArgumentParser) -> None:
    p.add_argument("keysets", nargs="+", metavar="KEYSET")
    _output(p, secret=False)
    p.set_defaults(handler=cmd_jwks)


def _key(p: argparse.ArgumentParser) -> None:
    p.add_argument("keyset")
    p.add_argument("--kid", help="a version other than the current one")
    p.add_argument("--private", action="store_true", help="the private key / HMAC secret")
    _output(p, secret=True)


def _pem(p: argparse.ArgumentParser) -> None:
    _key(p)
    p.set_defaults(handler=cmd_pem)


def _jwk(p: argparse.ArgumentParser) -> None:
    _key(p)
    p.set_defaults(handler=cmd_jwk)


def _check(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    p.add_argument("--profile", help="also check the profile's variables are all there")
    p.add_argument("-f", "--format", choices=EXPORT_FORMATS, help="default: detected")
    json_flag(p)
    p.set_defaults(handler=cmd_check)


def _emit(svc: Any, args: argparse.Namespace, text: str, secret: bool, what: str) -> int:
    """Write ``text`` to -o FILE, to stdout for ``-o -`` or (public only) without -o."""
    target = args.output
    if target is None and secret:
        raise UsageError(f"{what} is secret: give -o FILE, or -o - to print it for a pipe")
    if target in (None, "-"):
        if secret and sys.stdout.isatty() and not args.yes:
            raise Cancelled(
                f"{what} would be printed on this terminal; pipe it, use -o FILE, or pass --yes"
            )
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    if secret:
        path = svc.write_secret(text, Path(target), force=args.force)
    else:
        path = svc.write_public(text, Path(target))
    print(f"wrote {what} to {path} (mode 0600)", file=sys.stderr)
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    svc = export_service()
    profile = svc.profile(args.profile)
    opts = {"multiline": args.multiline, "k8s_name": args.k8s_name}
    plan = svc.plan(profile)
    omitted = [f"{p.binding.var} ({p.omitted})" for p in plan if p.omitted]
    if args.output is None:
        sys.stdout.write(svc.preview(profile, args.format, **opts))
        print("# preview: secrets masked. Write with -o FILE (or -o - for a pipe)", file=sys.stderr)
    elif args.output == "-":
        if sys.stdout.isatty() and not args.yes:
            raise Cancelled("secrets would be printed on this terminal; pipe it or pass --yes")
        sys.stdout.write(svc.render(profile, args.format, **opts))
    else:
        path = svc.write(profile, Path(args.output), args.format, force=args.force, **opts)
        written = len(plan) - len(omitted)
        print(f"wrote {written} variables to {path} (mode 0600)", file=sys.stderr)
    for line in omitted:
        print(f"omitted {line}", file=sys.stderr)
    return 0


def cmd_jwks(args: argparse.Namespace) -> int:
    svc = export_service()
    return _emit(svc, args, svc.jwks_text(args.keysets), False, "the JWKS")


def cmd_pem(args: argparse.Namespace) -> int:
    svc = export_service()
    if args.private:
        _refuse_before_reading(svc, args)
        text = svc.private_pem(args.keyset, args.kid).reveal().decode("ascii")
        return _emit(svc, args, text, True, f"the private key of {args.keyset}")
    return _emit(svc, args, svc.public_pem(args.keyset, args.kid), False, "the public key")


def cmd_jwk(args: argparse.Namespace) -> int:
    svc = export_service()
    if args.private:
        _refuse_before_reading(svc, args)
        text = svc.private_jwk(args.keyset, args.kid).reveal().decode("ascii")
        return _emit(svc, args, text, True, f"the private JWK of {args.keyset}")
    return _emit(
        svc, args, json.dumps(svc.public_jwk(args.keyset, args.kid), indent=2), False, "JWK"
    )


def _refuse_before_reading(svc: Any, args: argparse.Namespace) -> None:
    """Say no before the keyring is read, not after."""
    if args.output is None:
        raise UsageError("a private key is secret: give -o FILE, or -o - to print it for a pipe")
    if args.output != "-" and not args.force:
        svc.check_secret_target(Path(args.output))


def cmd_check(args: argparse.Namespace) -> int:
    from jwtdesk.services.export import parse_format

    svc = export_service()
    fmt = parse_format(args.format) if args.format else None
    report = svc.check(args.file, args.profile, fmt)
    if args.json:
        out.emit_json(
            {
                "path": report.path,
                "kind": report.kind,
                "profile": report.profile,
                "clean": report.clean,
                "rows": [r._asdict() for r in report.rows],
            }
        )
    else:
        rows = [
            [
                r.name,
                r.status.upper(),
                r.keyset or "-",
                (r.kid or "-")[:16],
                r.state or "-",
                r.detail,
            ]
            for r in report.rows
        ]
        print(out.table(["NAME", "STATUS", "KEYSET", "KID", "KEY STATE", "DETAIL"], rows))
        verdict = "in sync" if report.clean else "DRIFT: update the file (jwtdesk export env)"
        print(f"{report.path}: {verdict}")
    return 0 if report.clean else EXIT_DRIFT
