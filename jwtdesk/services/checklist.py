"""``jwtdesk checklist [SERVICE]``: gather the facts (one batch of keyring reads, the last
scan's summary, the recorded exports, an optional revocation probe) and evaluate them.

Secrets are read only to test them (weak? shared?) and are dropped right after: the shared
check compares keyed hashes under a per-run random key (core.checklist.shared_secrets).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jwtdesk.core import checklist_more
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.checklist import (
    ExportFacts,
    Facts,
    Item,
    RevocationProbe,
    shared_secrets,
)
from jwtdesk.core.errors import InvalidInput, JwtdeskError, NotFound
from jwtdesk.core.keysets import KeySet
from jwtdesk.core.profiles import Profile
from jwtdesk.core.weak import is_common_secret
from jwtdesk.store import exportrecord, lastscan

if TYPE_CHECKING:
    from jwtdesk.services.keys import KeyService


def _select(keys: KeyService, service: str | None) -> tuple[list[KeySet], list[Profile]]:
    state = keys.index.load()
    keysets = [ks for ks in state.keysets if service is None or ks.service == service]
    if service is not None and not keysets:
        known = sorted({ks.service for ks in state.keysets if ks.service})
        hint = f"known services: {', '.join(known)}" if known else "no keyset names a service"
        raise NotFound(f"no keyset belongs to the service {service!r}; {hint}")
    names = {ks.name for ks in keysets}
    profiles = [p for p in state.profiles if service is None or names.intersection(p.keysets())]
    return keysets, profiles


def _secret_facts(
    keys: KeyService, chosen: Sequence[KeySet]
) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    """Weak secrets of the chosen keysets, and groups of keysets sharing a secret (among all
    keysets: a staging key reused in prod is found from either side)."""
    weak: dict[str, str] = {}
    owned: list[tuple[str, bytes]] = []
    chosen_names = {ks.name for ks in chosen}
    vault = keys.vault
    for ks in keys.keysets():
        for v in ks.versions:
            if not v.verifies or v.public_only:
                continue
            raw = vault.get(v.id).reveal()
            owned.append((ks.name, raw))
            if ks.name in chosen_names and ks.algorithm.kty is KeyType.OCT:
                why = _weakness(ks, raw)
                if why:
                    weak[ks.name] = f"{v.state.value} key {why}"
    groups = [g for g in shared_secrets(owned) if chosen_names.intersection(g)]
    owned.clear()
    return weak, groups


def _weakness(ks: KeySet, raw: bytes) -> str | None:
    if is_common_secret(raw):
        return "is on the list of published JWT secrets"
    need = ks.algorithm.hash_bits // 8
    if len(raw) < need:
        return f"is {len(raw)} bytes, shorter than the {need}-byte hash"
    return None


def _export_facts(keys: KeyService, profiles: Sequence[Profile]) -> list[ExportFacts]:
    from jwtdesk.services.export import ExportService, parse_format
    from jwtdesk.store.exportfile import check_not_tracked

    wanted = {p.name for p in profiles}
    out = []
    for rec in exportrecord.load(keys.index.home):
        profile, path = str(rec.get("profile", "")), str(rec.get("path", ""))
        if profile not in wanted or not path:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            out.append(ExportFacts(path, profile, False, None, None, None))
            continue
        try:
            check_not_tracked(Path(path))
            ignored: bool | None = True
        except InvalidInput:
            ignored = False
        try:
            fmt = parse_format(str(rec.get("format", "dotenv")))
            report = ExportService(keys).check(path, profile, fmt)
            drift = ", ".join(r.name for r in report.rows if r.status != "match") or None
        except JwtdeskError as exc:
            drift = f"cannot check: {exc.message}"
        mode = stat.S_IMODE(st.st_mode)
        out.append(ExportFacts(path, profile, True, mode, ignored, drift))
    return out


def run_checklist(
    keys: KeyService, service: str | None = None, probe: RevocationProbe | None = None
) -> list[Item]:
    """Evaluate the checklist for ``service`` (every keyset when None). ``probe`` answers the
    revocation items where a Redis connection is configured; without it they are unknown."""
    keysets, profiles = _select(keys, service)
    weak, shared = _secret_facts(keys, keysets)
    facts = Facts(
        service=service,
        keysets=tuple(keysets),
        profiles=tuple(profiles),
        weak=weak,
        shared=shared,
        last_scan=lastscan.load(keys.index.home),
        exports=_export_facts(keys, profiles),
        revocation=probe(service) if probe is not None else None,
        now=keys.clock(),
    )
    return checklist_more.evaluate(facts)
