"""``jwtdesk import FILE…``: keys from PEM, DER, JWK/JWKS, X.509 certificates and env files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.core.errors import InvalidInput, UsageError
from jwtdesk.core.keysets import Purpose

DESCRIPTION = """Import existing keys as keysets. Each key is checked: HMAC secrets shorter than
the hash size or on the built-in list of published secrets are refused unless --allow-weak;
RSA below 2048 bits, a key that does not fit --alg, and a public key offered as an HMAC
secret are always refused. Public keys and certificates become verify-only keysets."""


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser(
        "import", help="import keys from PEM/JWK/JWKS/X.509/env files", description=DESCRIPTION
    )
    if argv and argv[0] != "import" and not {"-h", "--help"}.intersection(argv):
        return
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--name", help="keyset name (default: from the file or variable name)")
    p.add_argument("--alg", help="the JWS algorithm (default: the JWK's, else by key type)")
    p.add_argument("--var", action="append", default=[], help="env file: variable to import")
    p.add_argument("--previous-var", help="env file: import this variable as the previous key")
    p.add_argument("--allow-weak", action="store_true", help="import a weak HMAC secret anyway")
    p.add_argument("--passphrase-file", help="passphrase of an encrypted key (- = stdin)")
    p.add_argument("--service", default="")
    p.add_argument("--env", dest="environment", default="")
    p.add_argument("--purpose", choices=[x.value for x in Purpose], default="custom")
    p.add_argument("--rotate-every", default="90d")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_import)


def _passphrase(args: argparse.Namespace) -> Any:
    source: str | None = args.passphrase_file

    def ask(label: str) -> bytes:
        if source == "-":
            return sys.stdin.buffer.readline().rstrip(b"\r\n")
        if source:
            from jwtdesk.services.tokens import read_limited

            return read_limited(source, "passphrase file").rstrip(b"\r\n")
        if not sys.stdin.isatty():
            raise InvalidInput(f"{label} is encrypted; give --passphrase-file")
        import getpass

        return getpass.getpass(f"Passphrase for {label}: ").encode("utf-8")

    return ask


def cmd_import(args: argparse.Namespace) -> int:
    from jwtdesk.core.keysets import parse_period
    from jwtdesk.services import default_key_service
    from jwtdesk.services.importing import ImportOptions, import_files

    if args.name and len(args.files) > 1:
        raise UsageError("--name names one keyset; import one file at a time with it")
    opts = ImportOptions(
        name=args.name,
        alg=args.alg,
        variables=args.var,
        previous_var=args.previous_var,
        allow_weak=args.allow_weak,
        service=args.service,
        environment=args.environment,
        purpose=Purpose(args.purpose),
        rotation_period=parse_period(args.rotate_every),
    )
    svc = default_key_service()
    done = import_files(svc, args.files, opts, _passphrase(args))
    for d in done:  # on stderr in both modes: --json output stays one document
        for w in d.weak:
            print(f"  WEAK (allowed): {w}", file=sys.stderr)
        for n in d.notes:
            print(f"  NOTE: {n}", file=sys.stderr)
    if args.json:
        now = svc.clock()
        out.emit_json(
            {
                "imported": [
                    out.keyset_json(d.keyset, now)
                    | {
                        "public_only": d.keyset.versions[0].public_only,
                        "sources": d.sources,
                        "weak": d.weak,
                        "import_notes": d.notes,
                    }
                    for d in done
                ]
            }
        )
        return 0
    for d in done:
        ks = d.keyset
        public = ks.versions[0].public_only
        kinds = f"{ks.alg}, public key only: verifies, never signs" if public else ks.alg
        print(f"imported {ks.name} ({kinds}) from {', '.join(d.sources)}")
        for v in ks.versions:
            print(f"  {v.state.value:8} kid {v.kid}")
    return 0
