"""Emergency response for a service whose keys may have leaked (the JWT guides' runbook):

1. rotate every keyset of the service, and retire the previous (possibly leaked) key at once:
   a grace period would keep the leaked key verifying;
2. set ``global_revoke_before`` = now on the service's Redis: every token issued before is void;
3. re-export the service's env files (its export profiles) and JWKS into one directory;
4. write a report (what rotated, when, the files, what the operator must deploy) to that
   directory and to the audit log.

Every check that can fail without side effects runs first (keysets, keyring, Redis reachable
and its cut-off key readable, profiles plannable, output paths writable): a Redis that is down
stops the flow before the first rotation. A dry run does only those checks and shows the plan.
If a step fails later, the report says exactly which steps were done and which were not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jwtdesk.core import revocation as rv
from jwtdesk.core.errors import Fix, InGitTree, InvalidInput, JwtdeskError
from jwtdesk.core.keysets import KeySet, publishable
from jwtdesk.core.profiles import Profile
from jwtdesk.services.export import ExportService
from jwtdesk.services.revocation import RevocationService, Target
from jwtdesk.store.auditlog import AuditEntry

EXTENSIONS = {
    "dotenv": ".env",
    "shell": ".sh",
    "docker": ".env",
    "json": ".json",
    "k8s": ".yaml",
    "systemd": ".conf",
}


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # check | rotate | retire | cutoff | export | jwks | report
    title: str
    irreversible: bool = False
    subject: str = ""  # the keyset or profile the step is about
    status: str = "planned"  # planned | ok | failed | not run
    detail: str = ""
    fix: Fix | None = None  # what to do about a failure; each front end words it


@dataclass(frozen=True, slots=True)
class Outcome:
    service: str
    connection: str
    directory: str
    dry_run: bool
    started: str
    finished: str = ""
    ok: bool = False
    steps: tuple[Step, ...] = ()
    rotated: tuple[dict[str, str], ...] = ()  # keyset, old_kid, new_kid
    cutoff: dict[str, Any] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    to_deploy: tuple[str, ...] = ()
    report_files: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["steps"] = [asdict(s) | {"fix": s.fix.value if s.fix else None} for s in self.steps]
        return doc


# The response's directory gets secret env files: no override, ignore it or choose another.
class EmergencyService:
    def __init__(self, revocation: RevocationService) -> None:
        self.revocation = revocation
        self.keys = revocation.keys
        self.export = ExportService(self.keys)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.keys.clock

    # --- planning ---------------------------------------------------------------------

    def keysets(self, service: str) -> list[KeySet]:
        found = [ks for ks in self.keys.keysets() if ks.service == service]
        if not found:
            raise InvalidInput(
                f"no keyset belongs to service {service!r}; `jwtdesk keys list` shows the "
                "services (set one with `jwtdesk keys new … --service`)"
            )
        return found

    def profiles(self, service: str) -> list[Profile]:
        names = {ks.name for ks in self.keysets(service)}
        return [p for p in self.export.profiles() if names.intersection(p.keysets())]

    def default_directory(self, service: str) -> Path:
        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        return self.keys.index.home / "emergency" / f"{_safe(service)}-{stamp}"

    def plan(self, service: str, target: Target, directory: Path) -> list[Step]:
        keysets, profiles = self.keysets(service), self.profiles(service)
        steps = [Step("check", "Check keysets, keyring, Redis, profiles and output paths")]
        for ks in keysets:
            if ks.current is not None and ks.current.public_only:
                title = f"Leave {ks.name}: a public key imported from its issuer; rotate it there"
                steps.append(Step("skip", title, False, ks.name))
                continue
            steps.append(Step("rotate", f"Rotate {ks.name} ({ks.alg})", True, ks.name))
            steps.append(Step("retire", f"Retire the previous key of {ks.name}", True, ks.name))
        key = target.conn.schema.cutoff_key
        steps.append(Step("cutoff", f"Set {key} = now on {target.conn.name}", True))
        for p in profiles:
            path = directory / f"{p.name}{EXTENSIONS.get(p.format, '.env')}"
            title = f"Write {path} (profile {p.name}, {p.format})"
            steps.append(Step("export", title, True, p.name))
        if self._jwks_names(keysets):
            steps.append(Step("jwks", f"Write {directory / (_safe(service) + '.jwks.json')}", True))
        steps.append(Step("report", f"Write {directory / 'report.json'} and the audit log"))
        return steps

    @staticmethod
    def _jwks_names(keysets: list[KeySet]) -> list[str]:
        return [ks.name for ks in keysets if publishable(ks)]

    # --- checks (no side effects) -----------------------------------------------------

    def preflight(self, service: str, target: Target, directory: Path) -> str:
        """Everything that can fail before a change; raises the first problem."""
        keysets = self.keysets(service)
        for p in self.profiles(service):
            self.export.plan(p)  # a profile naming a deleted keyset fails here
        self.keys.check_keyring()
        key = target.conn.schema.cutoff_key
        with target.open() as client:
            client.ping()
            entry = client.string_or_none(key, key)
        rv.parse_stored_time(entry.value, key)
        existing = _existing_parent(directory)
        if existing.exists() and not existing.is_dir():
            raise InvalidInput(f"{existing} is not a directory", fix=Fix.OTHER_OUT_DIR)
        try:
            self.export.check_secret_target(directory / "report.json")
        except InGitTree as exc:  # no --force here: the response's files hold secrets
            raise InGitTree(exc.reason, exc.path, Fix.OTHER_OUT_DIR) from None
        if directory.exists() and any(directory.iterdir()):
            raise InvalidInput(f"{directory} is not empty", fix=Fix.OTHER_OUT_DIR)
        return (
            f"{len(keysets)} keysets, keyring usable, Redis {target.conn.address} reachable, "
            f"output {directory}"
        )

    # --- running ----------------------------------------------------------------------

    def run(
        self,
        service: str,
        target: Target,
        directory: Path | None = None,
        dry_run: bool = False,
        progress: Callable[[Step], None] | None = None,
    ) -> Outcome:
        directory = directory or self.default_directory(service)
        steps = self.plan(service, target, directory)
        run = _Run(self, service, target, directory, steps, progress=progress)
        outcome = Outcome(service, target.conn.name, str(directory), dry_run, _iso(self.clock()))
        try:
            run.set(0, "ok", self.preflight(service, target, directory))
        except JwtdeskError as exc:
            run.set(0, "failed", exc.message, exc.fix)
            return run.finish(outcome, ok=False)
        if dry_run:
            return run.finish(outcome, ok=True)
        run.execute()
        return run.finish(outcome, ok=all(s.status == "ok" for s in run.steps))


class _Run:
    """One emergency run: its steps' states and what they produced."""

    def __init__(
        self,
        owner: EmergencyService,
        service: str,
        target: Target,
        directory: Path,
        steps: list[Step],
        *,
        progress: Callable[[Step], None] | None,
    ) -> None:
        self.owner, self.service, self.target, self.directory = owner, service, target, directory
        self.steps = steps
        self.progress = progress
        self.rotated: list[dict[str, str]] = []
        self.files: list[str] = []
        self.cutoff: dict[str, Any] = {}
        self.dry_run = True

    def set(self, n: int, status: str, detail: str = "", fix: Fix | None = None) -> None:
        self.steps[n] = replace(self.steps[n], status=status, detail=detail, fix=fix)
        if self.progress is not None:
            self.progress(self.steps[n])

    def execute(self) -> None:
        self.dry_run = False
        try:  # first: the report of whatever happens next has its place
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            self.set(1, "failed", f"cannot create {self.directory}: {exc.strerror}")
            for m in range(2, len(self.steps)):
                self.set(m, "not run", "stopped after the failure above")
            return
        names = [ks.name for ks in self.owner.keysets(self.service)]
        profiles = {p.name: p for p in self.owner.profiles(self.service)}
        for n in range(1, len(self.steps)):
            step = self.steps[n]
            if step.kind == "report":
                self.set(n, "ok", "written with this outcome")
                continue
            try:
                self.set(n, "ok", self._do(step, names, profiles))
            except JwtdeskError as exc:
                self.set(n, "failed", exc.message, exc.fix)
                for m in range(n + 1, len(self.steps)):
                    self.set(m, "not run", "stopped after the failure above")
                return

    def _do(self, step: Step, names: list[str], profiles: dict[str, Profile]) -> str:
        owner = self.owner
        if step.kind == "skip":
            return "nothing to do here"
        if step.kind == "rotate":
            name = step.subject
            old = owner.keys.get(name).current
            ks = owner.keys.rotate(name)
            assert ks.current is not None  # noqa: S101 - a rotation makes a current key
            self.rotated.append(
                {"keyset": name, "old_kid": old.kid if old else "", "new_kid": ks.current.kid}
            )
            return f"new kid {ks.current.kid}"
        if step.kind == "retire":
            name = step.subject
            if owner.keys.get(name).previous is None:
                return "no previous key"
            done = owner.keys.retire(name)
            return f"retired {done.kid}: it verifies nothing any more"
        if step.kind == "cutoff":
            w = owner.revocation.set_global(self.target)
            self.cutoff = {"key": w.key, "value": w.value, "ttl_s": w.ttl_s}
            return f"{w.key} = {w.value} ({_utc(int(w.value))}), TTL {w.ttl_s} s"
        if step.kind == "export":
            p = profiles[step.subject]
            path = self.directory / f"{p.name}{EXTENSIONS.get(p.format, '.env')}"
            owner.export.write(p, path)
        else:  # jwks: the same document `jwtdesk export jwks` writes
            published = owner._jwks_names([owner.keys.get(n) for n in names])
            path = self.directory / f"{_safe(self.service)}.jwks.json"
            owner.export.write_jwks(published, path)
        self.files.append(str(path))
        return "written (0600)"

    def finish(self, outcome: Outcome, ok: bool) -> Outcome:
        done = replace(
            outcome,
            finished=_iso(self.owner.clock()),
            ok=ok,
            steps=tuple(self.steps),
            rotated=tuple(self.rotated),
            cutoff=self.cutoff,
            files=tuple(self.files),
            to_deploy=tuple(self._to_deploy(ok)),
        )
        if outcome.dry_run:
            return done
        return self._write_report(done)

    def _to_deploy(self, ok: bool) -> list[str]:
        if self.dry_run:
            return []
        out = [
            f"publish {f} where {self.service}'s verifiers fetch their JWKS"
            if f.endswith(".jwks.json")
            else f"deploy {f} to {self.service} and restart it"
            for f in self.files
        ]
        if self.rotated and not any(s.kind == "export" for s in self.steps):
            out.append(
                f"no export profile maps {self.service}'s keysets: export the new keys yourself "
                "(`jwtdesk profiles new`, `jwtdesk export env`)"
            )
        if self.cutoff:
            out.append("every token issued before the cut-off is void: users sign in again")
        if not ok:
            out.append("the response did not finish: see the failed step, fix it, run it again")
        return out

    def _write_report(self, outcome: Outcome) -> Outcome:
        from jwtdesk.store.exportfile import write_export

        target = self.directory if self.directory.is_dir() else None
        files: tuple[str, ...] = ()
        if target is not None:
            path = target / "report.json"
            doc = outcome.to_json() | {"report_files": [str(path)]}
            write_export(path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"), force=True)
            files = (str(path),)
        outcome = replace(outcome, report_files=files)
        audit = self.owner.keys.audit
        now = self.owner.clock()
        result = "ok" if outcome.ok else "failed"
        for r in outcome.rotated:
            audit.append(AuditEntry(now, "emergency-rotate", r["keyset"], r["new_kid"], "ok"))
        for f in outcome.files:
            audit.append(AuditEntry(now, "emergency-export", None, None, "ok", f))
        summary = files[0] if files else f"{self.service}: stopped before any change"
        audit.append(AuditEntry(now, "emergency", None, None, result, summary))
        return outcome


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "service"


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
