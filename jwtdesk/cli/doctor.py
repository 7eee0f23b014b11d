"""``jwtdesk doctor [--repair] [--self-check]``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser(
        "doctor",
        help="check the keyring backend, the index, orphan and missing secrets",
        description=(
            "Exit 0 when all is well (or repaired), 1 when something needs attention.\n"
            "--self-check also proves the keyring backends, the crypto backend, the built-in\n"
            "weak-secret list and Qt's platform plugins load; the packaged app always runs it."
        ),
    )
    if argv[:1] != ["doctor"]:
        return
    p.add_argument("--repair", action="store_true", help="remove orphans and stale marks")
    p.add_argument(
        "--self-check",
        action="store_true",
        help="also check that every part of the install loads (always on in the packaged app)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from jwtdesk.services import default_key_service  # deferred: every command builds
    # this parser's help line, and the services cost ~16 ms to import

    report = default_key_service().doctor(repair=args.repair)
    checks = None
    from jwtdesk.services import selfcheck

    if args.self_check or selfcheck.frozen():
        checks = selfcheck.run_self_check()
    checks_ok = checks is None or all(c.ok for c in checks)
    if args.json:
        doc: dict[str, Any] = {
            "backend": report.backend,
            "backend_state": report.backend_state,
            "index": str(report.index_path),
            "keysets": report.keysets,
            "versions": report.versions,
            "findings": [
                {"kind": f.kind, "detail": f.detail, "repaired": f.repaired}
                for f in report.findings
            ],
            "healthy": report.healthy and checks_ok,
        }
        if checks is not None:
            doc["self_check"] = [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]
        out.emit_json(doc)
    else:
        print(f"keyring backend: {report.backend} ({report.backend_state})")
        print(f"index: {report.index_path} ({report.keysets} keysets, {report.versions} versions)")
        for f in report.findings:
            print(f"{'repaired' if f.repaired else 'found'} {f.kind}: {f.detail}")
        if not report.findings:
            print("no orphan or missing secrets")
        elif not args.repair and any(f.kind != "missing-secret" for f in report.findings):
            print("run `jwtdesk doctor --repair` to clean up")
        for c in checks or ():
            print(f"self-check {'ok' if c.ok else 'FAILED'}: {c.name}: {c.detail}")
    return 0 if report.healthy and checks_ok else 1
