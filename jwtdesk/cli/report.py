"""Rendering an inspect Report for people and as the JSON contract."""

from __future__ import annotations

import json
from typing import Any

from jwtdesk.cli.output import iso
from jwtdesk.core.inspect import Report
from jwtdesk.core.lint import Finding

_MARK = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}


def verified_by(report: Report) -> dict[str, Any] | None:
    c = report.verified_by
    if c is None:
        return None
    if c.source == "keyset":
        return {"keyset": c.keyset, "kid": c.kid, "state": c.state}
    if c.source == "secret":
        return {"secret_file": c.label}
    return {"key_file": c.label.split("#", 1)[0], "kid": c.kid}


def report_json(report: Report) -> dict[str, Any]:
    return {
        "valid": report.valid,
        "verified_by": verified_by(report),
        "header": report.token.header,
        "claims": report.token.claims,
        "errors": [{"id": i, "message": m} for i, m in report.errors],
        "findings": [finding_json(f) for f in report.findings],
        "checks": [{"name": c.name, "status": c.status, "reason": c.reason} for c in report.checks],
        "as_of": iso(report.as_of),
        "leeway_s": report.leeway.total_seconds(),
        "trimmed": _trimmed(report),
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity.value,
        "message": f.message,
        "reference": f.reference,
        "location": f.location,
    }


def _trimmed(report: Report) -> dict[str, int] | None:
    """Whitespace characters removed from around the input before judging, or null."""
    t = report.trimmed
    return {"leading": t.leading, "trailing": t.trailing} if t is not None else None


def print_report(report: Report) -> None:
    verdict = "VALID" if report.valid else "INVALID"
    print(f"{verdict}  (as of {iso(report.as_of)}, leeway {report.leeway.total_seconds():g} s)")
    if report.trimmed is not None and report.trimmed.note:
        print(f"  note  {report.trimmed.note}")
    for c in report.checks:
        print(f"  {_MARK[c.status]}  {c.name:<9} {c.reason}")
    if report.token.header is not None:
        print("header: " + json.dumps(report.token.header, ensure_ascii=False))
    if report.token.claims is not None:
        print("claims: " + json.dumps(report.token.claims, ensure_ascii=False))
    if report.findings:
        print("findings:")
    for f in report.findings:
        where = f" [{f.location}]" if f.location else ""
        print(f"  {f.severity.value:<7} {f.id}: {f.message}{where} ({f.reference})")
