"""``jwtdesk doctor [--repair]``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.services import default_key_service


def register(sub: Any, argv: Sequence[str]) -> None:
    p = sub.add_parser(
        "doctor",
        help="check the keyring backend, the index, orphan and missing secrets",
        description="Exit 0 when all is well (or repaired), 1 when something needs attention.",
    )
    if argv[:1] != ["doctor"]:
        return
    p.add_argument("--repair", action="store_true", help="remove orphans and stale marks")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    report = default_key_service().doctor(repair=args.repair)
    if args.json:
        out.emit_json(
            {
                "backend": report.backend,
                "backend_state": report.backend_state,
                "index": str(report.index_path),
                "keysets": report.keysets,
                "versions": report.versions,
                "findings": [
                    {"kind": f.kind, "detail": f.detail, "repaired": f.repaired}
                    for f in report.findings
                ],
                "healthy": report.healthy,
            }
        )
    else:
        print(f"keyring backend: {report.backend} ({report.backend_state})")
        print(f"index: {report.index_path} ({report.keysets} keysets, {report.versions} versions)")
        for f in report.findings:
            print(f"{'repaired' if f.repaired else 'found'} {f.kind}: {f.detail}")
        if not report.findings:
            print("no orphan or missing secrets")
        elif not args.repair and any(f.kind != "missing-secret" for f in report.findings):
            print("run `jwtdesk doctor --repair` to clean up")
    return 0 if report.healthy else 1
