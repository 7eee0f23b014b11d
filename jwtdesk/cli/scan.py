"""``jwtdesk scan PATH... [--history] [--json]``: the leak scan."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jwtdesk.cli import output as out

EPILOG = """Searches files (and with --history every blob of the git history) for the secrets
jwtdesk stores, in every form: raw, hex, base64, base64url, PEM body (also over lines),
private JWK members, JSON- or env-escaped; and for assignments of known weak secrets
(JWT_SECRET = "secret"). Findings name the file, line, commit, keyset and kid, never the
secret. The secrets are read from the keyring for the scan only and never written anywhere.

exit codes:
  0   nothing found, every path read
  1   something found, or a path could not be read (or another error)
  2   usage error"""


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser(
        "scan",
        help="search files and git history for stored secrets and weak ones",
        description=EPILOG,
    )
    if argv[:1] != ["scan"]:
        return
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    p.add_argument("--history", action="store_true", help="also every blob of the git history")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_scan)


def finding_json(f: Any) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "commit": f.commit,
        "keyset": f.keyset,
        "version": f.version,
        "form": f.form,
        "kind": f.kind,
        "author_date": f.author_date,
        "commits": list(f.commits),
        "name": f.name,
    }


def remedies(keysets: Sequence[str], services: dict[str, str]) -> list[dict[str, str]]:
    """For each leaked keyset: rotate it, or run the emergency flow of its service."""
    return [
        {
            "keyset": name,
            "rotate": f"jwtdesk keys rotate {name}",
            "emergency": f"jwtdesk emergency {services.get(name) or 'SERVICE'}",
        }
        for name in keysets
    ]


def cmd_scan(args: argparse.Namespace) -> int:
    from jwtdesk.services import default_key_service
    from jwtdesk.services.scan import scan

    def progress(message: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\rscanning: {message}", end="", file=sys.stderr, flush=True)

    keys = default_key_service()
    result = scan(keys, [Path(p) for p in args.paths], history=args.history, progress=progress)
    services = {ks.name: ks.service for ks in keys.keysets()}
    if args.json:
        out.emit_json(
            {
                "findings": [finding_json(f) for f in result.findings],
                "errors": [{"path": e.path, "message": e.message} for e in result.errors],
                "remedies": remedies(result.keysets(), services),
                "stats": {
                    "files": result.files,
                    "blobs": result.blobs,
                    "bytes": result.bytes,
                    "seconds": round(result.seconds, 3),
                    "secrets": result.secrets,
                },
            }
        )
    else:
        _print(result, services)
    return 0 if result.clean else 1


def _print(result: Any, services: dict[str, str]) -> None:
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    for f in result.findings:
        where = f"{f.path}:{f.line}"
        if f.commit:
            where += f" (commit {f.commit[:12]}, {f.author_date})"
        if f.kind == "stored-secret":
            print(f"LEAK  {where}: key {f.version} of {f.keyset} as {f.form}")
        else:
            print(f"WEAK  {where}: {f.name} is assigned a published secret")
    for e in result.errors:
        print(f"ERROR {e.path}: {e.message}")
    mb = result.bytes / 1e6
    print(
        f"{len(result.findings)} finding(s), {len(result.errors)} error(s); "
        f"{result.files} files and {result.blobs} blobs, {mb:.1f} MB in {result.seconds:.1f} s"
    )
    for r in remedies(result.keysets(), services):
        print(
            f"{r['keyset']} leaked: rotate it now with `{r['rotate']}` "
            f"(or the emergency flow, `{r['emergency']}`), then purge the history"
        )
    if any(f.kind == "weak-secret" for f in result.findings):
        print("weak secrets: replace them with a key from `jwtdesk keys new NAME --alg HS256`")
