"""``jwtdesk doctor``: the keyring backend, the index, orphan and missing secrets.

Repair only removes what holds no needed secret: orphan secrets (in the keyring, not in the
index), stale pending marks and temp files of an interrupted index write. A version whose secret
is missing is reported with the fix, never dropped silently.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keysets import State
from jwtdesk.services.keys import DoctorReport, Finding

if TYPE_CHECKING:
    from jwtdesk.services.keys import KeyService


def run_doctor(svc: KeyService, repair: bool) -> DoctorReport:
    state_text = "ok"
    try:
        svc.vault.check()
    except JwtdeskError as exc:
        state_text = exc.message
    state = svc.index.load()
    findings: list[Finding] = []
    for tmp in svc.index.temp_files():
        done = False
        if repair:
            with contextlib.suppress(OSError):
                tmp.unlink()
                done = True
        findings.append(
            Finding("temp-file", f"{tmp.name}: left by an interrupted index write", done)
        )
    if state_text == "ok":
        findings += _secrets(svc, repair)
    versions = sum(len(k.versions) for k in state.keysets)
    return DoctorReport(
        backend=svc.vault.backend_name,
        backend_state=state_text,
        index_path=svc.index.path,
        keysets=len(state.keysets),
        versions=versions,
        findings=tuple(findings),
    )


def _secrets(svc: KeyService, repair: bool) -> list[Finding]:
    # Under the writer lock: a create in another process holds it from its pending mark to its
    # index entry, so every mark seen here belongs to a writer that died.
    with svc.index.locked() as state:
        findings = [_pending(svc, mark.id, mark.keyset, mark.op, repair) for mark in state.pending]
        if repair and state.pending:
            svc.index.write(state.unmark(*(m.id for m in state.pending)))
    for ks in state.keysets:
        for v in ks.versions:
            if v.state is State.RETIRED or v.public_only:
                continue
            if not svc.vault.exists(v.id):
                findings.append(
                    Finding(
                        "missing-secret",
                        f"{ks.name} {v.kid} ({v.state.value}): its secret is not in the keyring; "
                        f"`jwtdesk keys rotate {ks.name}` makes a new key, then retire this one",
                    )
                )
    return findings


def _pending(svc: KeyService, vid: str, keyset: str, op: str, repair: bool) -> Finding:
    if not svc.vault.exists(vid):
        return Finding("stale-pending", f"{vid}: an interrupted {op} left a mark", repair)
    if repair:
        svc.vault.delete(vid)
    return Finding(
        "orphan-secret",
        f"{vid} (keyset {keyset}, interrupted {op}): a secret in the keyring that no index "
        "entry uses",
        repair,
    )
