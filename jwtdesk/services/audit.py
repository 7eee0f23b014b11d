"""The weak-secret audit use cases: tokens against wordlists, and the stored HMAC keys.

``audit_tokens`` needs no keyring. ``audit_keys`` reads the secrets of every usable HMAC key
version from the keyring in one batch at the start (one audit-log line each, action
``audit``), then never again; the search runs against a private random message, so no token
is built that anyone could see or reuse.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from jwtdesk.core import audit, audit_rules
from jwtdesk.core.audit_target import HMAC_BITS, TokenTarget, token_target
from jwtdesk.core.errors import JwtdeskError, SecretMissing, StoreCorrupt

if TYPE_CHECKING:  # `audit token` needs no key service nor key types: start-up
    from jwtdesk.core.keysets import KeySet, KeyVersion
    from jwtdesk.core.secret import Secret
    from jwtdesk.core.secret_checks import Strength
    from jwtdesk.services.keys import KeyService


# NamedTuples, not dataclasses: importing dataclasses costs `audit token` ~6 ms of start-up.
class AuditOptions(NamedTuple):
    wordlists: tuple[str, ...] = ()
    rules: bool = False
    builtin: bool = True
    workers: int | None = None  # None: every core
    start_method: str | None = None  # None: fork in a single-threaded CLI, else spawn


class Result(NamedTuple):
    """One token's (or one stored key's) outcome. ``secret`` is masked in every text form."""

    label: str
    found: bool
    secret: Secret | None
    source: str | None
    line: int | None
    tried: int
    seconds: float
    skipped: dict[str, int] = {}  # noqa: RUF012 - never mutated: a copy per result
    cancelled: bool = False
    alg: str = ""
    kid: str | None = None  # stored keys: the version
    strength: Strength | None = None  # stored keys: entropy judged from alphabet and length
    shared_with: tuple[str, ...] = ()  # stored keys: other keysets holding the same secret
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.tried / self.seconds if self.seconds > 0 else 0.0

    @property
    def flagged(self) -> bool:
        low = self.strength is not None and (self.strength.low or self.strength.common)
        return self.found or low or bool(self.shared_with)

    @property
    def skipped_lines(self) -> dict[str, int]:
        """Skipped wordlist lines by kind; CRLF lines are tried (without the CR), so not said."""
        return {kind: n for kind, n in self.skipped.items() if n and kind != "crlf"}

    def flags(self) -> list[Flag]:
        """What a front end shows under the verdict, as data: each words it its own way."""
        out: list[Flag] = []
        if self.strength is not None and self.strength.low:
            out.append(Flag.LOW_ENTROPY)
        if self.strength is not None and self.strength.common:
            out.append(Flag.PUBLISHED)
        if self.shared_with:
            out.append(Flag.SHARED)
        if self.skipped_lines:
            out.append(Flag.SKIPPED_LINES)
        return out


class Flag(enum.Enum):
    """A remark on a result beside found / not found (details are on the Result)."""

    LOW_ENTROPY = "low-entropy"  # Result.strength.bits / .alphabet
    PUBLISHED = "published"  # the secret is in a published list
    SHARED = "shared"  # Result.shared_with
    SKIPPED_LINES = "skipped-lines"  # Result.skipped_lines


OnProgress = Callable[[str, audit.Progress], None]  # (label of what is searched, progress)


def sources(
    options: AuditOptions, names: Sequence[str] = (), origin: str = "the token"
) -> list[audit.Source]:
    """Built-in list, user wordlists, then (with rules) templates from ``names``."""
    out = [audit.builtin_source(options.rules)] if options.builtin else []
    out += [audit.file_source(path, options.rules) for path in options.wordlists]
    if options.rules and names:
        data = b"\n".join(audit_rules.templates(names))
        out.append(audit.Source(f"templates from {origin}", data=data, rules=True))
    if not out:
        raise JwtdeskError("no wordlist: give --wordlist FILE, or drop --no-builtin")
    return out


def parse_tokens(tokens: Sequence[str]) -> list[TokenTarget]:
    return [token_target(t) for t in tokens]


TOKEN_FILE_LIMIT = 16 << 20


def token_lines(text: str) -> list[str]:
    """Tokens from text: one a line; blank lines and ``#`` comments are skipped, and a
    leading ``Bearer`` is dropped."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.lower().startswith("bearer "):
            line = line[7:].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_token_file(path: str) -> list[str]:
    """The tokens of a file (at most 16 MiB: tokens, not a wordlist)."""
    from pathlib import Path

    try:
        with Path(path).open("rb") as f:
            data = f.read(TOKEN_FILE_LIMIT + 1)
    except OSError as exc:
        raise JwtdeskError(f"cannot read token file {path}: {exc.strerror}") from None
    if len(data) > TOKEN_FILE_LIMIT:
        raise JwtdeskError(f"{path} is over 16 MiB: a token file holds tokens, one a line")
    return token_lines(data.decode("ascii", "replace"))


def audit_tokens(
    targets: Sequence[TokenTarget],
    options: AuditOptions,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
) -> list[Result]:
    """Search the wordlists for each token's secret, one token after another. A secret
    found for one token is tried first on the next ones (tokens of one service share it)."""
    cancel = cancel or threading.Event()
    results: list[Result] = []
    for target in targets:
        if cancel.is_set():
            break
        known = _known_secret(target, results)
        if known is not None:
            results.append(known)
            continue
        outcome = audit.search(
            target.job,
            sources(options, target.names if options.rules else ()),
            workers=options.workers,
            on_progress=_labelled(on_progress, target.label),
            cancel=cancel,
            start_method=options.start_method,
        )
        hit = outcome.hits[0] if outcome.hits else None
        results.append(
            Result(
                target.label,
                hit is not None,
                hit.secret if hit else None,
                hit.source if hit else None,
                hit.line if hit else None,
                outcome.tried,
                outcome.seconds,
                outcome.skipped,
                outcome.cancelled,
                target.alg,
            )
        )
    return results


def _known_secret(target: TokenTarget, earlier: list[Result]) -> Result | None:
    """The result for ``target`` if a secret found for an earlier token also signed it."""
    digest = audit_scan_hash(target.job.bits)
    for index, r in enumerate(earlier):
        if r.secret is None:
            continue
        import hmac  # only once a secret is found: not at the top (start-up)

        mac = hmac.digest(r.secret.reveal(), target.job.msg, digest)
        if hmac.compare_digest(mac, target.job.targets[0]):
            return Result(
                target.label, True, r.secret, f"the secret of token {index + 1}", None,
                1, 0.0, alg=target.alg,
            )  # fmt: skip
    return None


def _labelled(on_progress: OnProgress | None, label: str) -> audit.OnProgress | None:
    if on_progress is None:
        return None
    return lambda p: on_progress(label, p)


class _Stored(NamedTuple):
    keyset: KeySet
    version: KeyVersion
    secret: Secret | None
    error: str | None


def hmac_versions(keys: KeyService) -> list[tuple[KeySet, KeyVersion]]:
    """The HMAC key versions that hold a secret (current and previous; retired keep none)."""
    from jwtdesk.core.keysets import State

    out = []
    for ks in keys.keysets():
        if ks.alg not in HMAC_BITS:
            continue
        out += [(ks, v) for v in ks.versions if v.state is not State.RETIRED and not v.public_only]
    return out


def read_stored(keys: KeyService) -> list[_Stored]:
    """Every usable HMAC secret, read in one batch; a missing one is reported, not fatal."""
    stored = []
    for ks, version in hmac_versions(keys):
        try:
            _, secret = keys.secret(ks.name, version.kid, action="audit")
        except (SecretMissing, StoreCorrupt) as exc:  # a locked keyring stops the whole audit
            stored.append(_Stored(ks, version, None, exc.message))
            continue
        stored.append(_Stored(ks, version, secret, None))
    return stored


def audit_keys(
    keys: KeyService,
    options: AuditOptions,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
) -> list[Result]:
    """Check every stored HMAC secret: on a wordlist (with the rules), entropy, sharing."""
    import hmac

    from jwtdesk.core.secret_checks import shared_groups

    cancel = cancel or threading.Event()
    stored = read_stored(keys)
    usable = [s for s in stored if s.secret is not None]
    shared = shared_groups((s.keyset.name, _reveal(s)) for s in usable)
    partners = {name: group for group in shared for name in group}
    names = _keyset_names(s.keyset for s in usable)
    found: dict[int, audit.Hit] = {}
    runs: dict[int, audit.Outcome] = {}
    for bits in sorted({HMAC_BITS[s.keyset.alg] for s in usable}):
        group = [i for i, s in enumerate(usable) if HMAC_BITS[s.keyset.alg] == bits]
        msg = os.urandom(64)  # private: the "token" exists only in this process
        digest = audit_scan_hash(bits)
        targets = tuple(hmac.digest(_reveal(usable[i]), msg, digest) for i in group)
        outcome = audit.search(
            audit.Job(msg, bits, targets),
            sources(options, names, "the keyset names"),
            workers=options.workers,
            on_progress=_labelled(on_progress, f"stored HS{bits} keys"),
            cancel=cancel,
            start_method=options.start_method,
        )
        for i in group:
            runs[i] = outcome
        for hit in outcome.hits:
            found[group[hit.target]] = hit
    results = [_key_result(i, s, found.get(i), runs.get(i), partners) for i, s in enumerate(usable)]
    results += [_error_result(s) for s in stored if s.secret is None]
    return results


def audit_scan_hash(bits: int) -> str:
    return {256: "sha256", 384: "sha384", 512: "sha512"}[bits]


def _reveal(stored: _Stored) -> bytes:
    if stored.secret is None:  # pragma: no cover - callers pass usable entries only
        raise JwtdeskError(f"no secret was read for {stored.keyset.name!r}")
    return stored.secret.reveal()


def _keyset_names(keysets: object) -> list[str]:
    names: list[str] = []
    for ks in keysets:  # type: ignore[attr-defined]
        names += [ks.name, ks.service, ks.environment]
        if ks.service and ks.environment:
            names.append(f"{ks.service}-{ks.environment}")
    return list(dict.fromkeys(n for n in names if n))


def _key_result(
    index: int,
    s: _Stored,
    hit: audit.Hit | None,
    outcome: audit.Outcome | None,
    partners: dict[str, tuple[str, ...]],
) -> Result:
    tried = outcome.tried if outcome else 0
    seconds = outcome.seconds if outcome else 0.0
    from jwtdesk.core.secret_checks import strength

    others = tuple(n for n in partners.get(s.keyset.name, ()) if n != s.keyset.name)
    return Result(
        s.keyset.name,
        hit is not None,
        s.secret if hit else None,
        hit.source if hit else None,
        hit.line if hit else None,
        tried,
        seconds,
        dict(outcome.skipped) if outcome else {},
        outcome.cancelled if outcome else False,
        s.keyset.alg,
        s.version.kid,
        strength(_reveal(s)),
        others,
    )


def _error_result(s: _Stored) -> Result:
    return Result(
        s.keyset.name,
        False,
        None,
        None,
        None,
        0,
        0.0,
        alg=s.keyset.alg,
        kid=s.version.kid,
        error=s.error,
    )
