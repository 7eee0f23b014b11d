"""``jwtdesk import``: bring existing keys in as keysets.

Each key read from the file (see :mod:`jwtdesk.core.keyimport`) is checked and becomes the
current version of a new keyset; with ``previous_var`` an env file's second variable becomes
its previous version, so tokens signed with it keep verifying. Public keys and certificates
become public-only versions: they verify, never sign, and nothing goes to the keyring.
A key whose kid jwtdesk already holds is refused: it would be the same key twice.

Everything is read and checked, for every file, before anything is stored: a refusal leaves
the index and the keyring as they were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from jwtdesk.core import keyimport
from jwtdesk.core import keysets as ks_mod
from jwtdesk.core.errors import Conflict, InvalidInput, JwtdeskError
from jwtdesk.core.keyimport import Checked, Passphrase
from jwtdesk.core.keysets import DEFAULT_ROTATION, KeySet, KeyVersion, Purpose, State
from jwtdesk.services.changes import reports_change
from jwtdesk.services.keys import KeyService, new_version_id
from jwtdesk.services.tokens import read_limited
from jwtdesk.store.index import IndexState

_NAME_MAX = 64


class ImportOptions(NamedTuple):
    name: str | None = None
    alg: str | None = None
    variables: Sequence[str] = ()
    previous_var: str | None = None
    allow_weak: bool = False
    service: str = ""
    environment: str = ""
    purpose: Purpose = Purpose.CUSTOM
    rotation_period: timedelta = DEFAULT_ROTATION


class Imported(NamedTuple):
    keyset: KeySet
    sources: tuple[str, ...]  # labels of what was read, e.g. "variable JWT_SECRET_CURRENT"
    weak: tuple[str, ...]  # why an allowed weak secret is weak
    notes: tuple[str, ...] = ()  # e.g. a JWK kid replaced by the thumbprint


class Planned(NamedTuple):
    """One keyset to create: its name and its keys (current first, then previous)."""

    name: str
    group: tuple[Checked, ...]


def is_env_file(data: bytes, opts: ImportOptions) -> bool:
    if opts.variables or opts.previous_var:
        return True
    text = data.lstrip()
    if text.startswith(b"-----BEGIN"):
        return False
    if text.startswith(b"{"):
        # a JSON env file is one object of strings; a JWK or JWKS (or broken JSON) is not
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return False
        return (
            isinstance(doc, dict)
            and "kty" not in doc
            and "keys" not in doc
            and all(isinstance(v, str) for v in doc.values())
        )
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return False  # DER
    return "=" in decoded or ":" in decoded


def read_keys(
    path: str, opts: ImportOptions, passphrase: Passphrase | None
) -> list[tuple[Checked, str | None]]:
    """Read and check every key to import, each with the env variable it came from (None
    for key files); nothing is stored yet."""
    data = read_limited(path, "file")
    if not data.strip():
        raise InvalidInput(f"the file {path} is empty")
    if (opts.variables or opts.previous_var) and data.lstrip().startswith(b"-----BEGIN"):
        raise InvalidInput(
            f"{path} is a PEM file, not an env file; --var and --previous-var pick variables "
            "of env files"
        )
    if not is_env_file(data, opts):
        items = keyimport.read(data, path, passphrase)
        return [(keyimport.check(item, opts.alg, opts.allow_weak), None) for item in items]
    from jwtdesk.core import envfile

    try:
        values = envfile.parse(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text; is it an env file?") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc.message}", fix=exc.fix) from None
    names = [*opts.variables, *([opts.previous_var] if opts.previous_var else [])]
    if not names:
        keyimport.from_env(values, names, passphrase, source=path)  # raises: lists the names
    out: list[tuple[Checked, str | None]] = []
    for var in names:
        for item in keyimport.from_env(values, [var], passphrase, source=path):
            out.append((keyimport.check(item, opts.alg, opts.allow_weak), var))
    return out


def plan_file(path: str, opts: ImportOptions, passphrase: Passphrase | None) -> list[Planned]:
    """The keysets that importing ``path`` would create, every key checked."""
    read = read_keys(path, opts, passphrase)
    if opts.previous_var:
        if len(read) != 2 or not opts.variables:
            raise InvalidInput(
                f"{path}: --previous-var needs exactly one --var for the current key, and each "
                "variable must hold one key"
            )
        (current, _), (previous, _) = read
        if current.kid == previous.kid:
            raise InvalidInput(
                f"{current.label} and {previous.label} hold the same key; the previous key "
                "must be the one used before the current one"
            )
        return [Planned(_names(path, opts, 1, [opts.variables[0]])[0], (current, previous))]
    names = _names(path, opts, len(read), [var for _, var in read])
    return [Planned(name, (c,)) for name, (c, _) in zip(names, read, strict=True)]


def _slug(text: str) -> str:
    base = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "-" for c in text)
    return base.strip("-.")[:_NAME_MAX].strip("-.") or "imported"


def _var_name(var: str) -> str:
    return _slug(var.removesuffix("_B64").lower().replace("_", "-"))


def _names(path: str, opts: ImportOptions, count: int, variables: list[str | None]) -> list[str]:
    names = _pick_names(path, opts, count, variables)
    for name in names:
        ks_mod.check_name(name)
    return names


def _pick_names(
    path: str, opts: ImportOptions, count: int, variables: list[str | None]
) -> list[str]:
    if opts.name is not None:
        ks_mod.check_name(opts.name)
        names = [opts.name] if count == 1 else [f"{opts.name}-{n}" for n in range(1, count + 1)]
        for name in names:
            if len(name) > _NAME_MAX:
                raise InvalidInput(
                    f"{path} holds {count} keys, named {opts.name}-1 to {opts.name}-{count}; "
                    f"give a --name of at most {_NAME_MAX - 1 - len(str(count))} characters"
                )
        return names
    if variables and all(variables) and len(set(variables)) == count:
        # one keyset per variable, named after it: JWT_SECRET_CURRENT -> jwt-secret-current
        return [_var_name(str(v)) for v in variables]
    first = variables[0] if variables else None
    base = _var_name(first) if first else _slug(Path(path).stem)
    if count == 1:
        return [base]
    room = _NAME_MAX - 1 - len(str(count))
    return [f"{base[:room]}-{n}" for n in range(1, count + 1)]


@reports_change
def import_files(
    keys: KeyService,
    paths: Sequence[str],
    opts: ImportOptions,
    passphrase: Passphrase | None = None,
) -> list[Imported]:
    """Import every key of every file, or nothing: all files are read and checked, and every
    name and kid is checked against the index, before the first keyset is stored."""
    ks_mod.check_label(opts.service, "service")
    ks_mod.check_label(opts.environment, "environment")
    plans = [p for path in paths for p in plan_file(path, opts, passphrase)]
    _refuse_duplicates(plans)
    versions = {p.name: _versions(keys, p) for p in plans}
    if any(c.secret is not None for p in plans for c in p.group):
        keys.vault.check()
    done: list[Imported] = []
    with keys.index.locked() as state:
        refusal = _conflict(state, plans, versions)
        if refusal is not None:
            name, error = refusal
            with keys._audited("import", name):
                raise error
        for plan in plans:
            done.append(_store(keys, plan, versions[plan.name], opts))
    return done


def import_file(
    keys: KeyService, path: str, opts: ImportOptions, passphrase: Passphrase | None = None
) -> list[Imported]:
    return import_files(keys, [path], opts, passphrase)


def _refuse_duplicates(plans: list[Planned]) -> None:
    names: set[str] = set()
    kids: dict[str, str] = {}
    for plan in plans:
        if plan.name in names:
            raise InvalidInput(
                f"two imports would both be named {plan.name!r}; import them one at a time "
                "with --name"
            )
        names.add(plan.name)
        for c in plan.group:
            if c.kid in kids:
                raise InvalidInput(
                    f"{c.label} holds the same key as {kids[c.kid]} (kid {c.kid}); "
                    "nothing was imported"
                )
            kids[c.kid] = c.label
        algs = {c.alg for c in plan.group}
        if len(algs) != 1:
            raise InvalidInput(
                f"{plan.name}: the current and previous keys are for "
                f"{' and '.join(sorted(algs))}; a keyset has one algorithm"
            )


def _conflict(
    state: IndexState, plans: list[Planned], versions: dict[str, list[KeyVersion]]
) -> tuple[str, JwtdeskError] | None:
    held = {v.kid: ks.name for ks in state.keysets for v in ks.versions}
    for plan in plans:
        for c, v in zip(plan.group, versions[plan.name], strict=True):
            if v.kid in held:
                return plan.name, Conflict(
                    f"{c.label}: jwtdesk already holds this key (kid {v.kid} in keyset "
                    f"{held[v.kid]!r}); nothing was imported"
                )
    for plan in plans:
        if state.has(plan.name):
            return plan.name, Conflict(
                f"a keyset named {plan.name!r} already exists; give another with --name"
            )
    return None


def _versions(keys: KeyService, plan: Planned) -> list[KeyVersion]:
    now = keys.clock()
    return [
        KeyVersion(
            id=new_version_id(),
            kid=c.kid,
            state=State.CURRENT if n == 0 else State.PREVIOUS,
            created=now,
            activated=now,
            retired=None,
            size=c.size,
            public_jwk=c.public_jwk,
            public_only=c.secret is None,
            weak=c.weak,
        )
        for n, c in enumerate(plan.group)
    ]


def _store(
    keys: KeyService, plan: Planned, versions: list[KeyVersion], opts: ImportOptions
) -> Imported:
    """Store one planned keyset; the caller holds the index lock."""
    now = keys.clock()
    with keys._audited("import", plan.name) as note:
        keyset = ks_mod.new_keyset(
            name=plan.name,
            alg=plan.group[0].alg,
            first=versions[0],
            now=now,
            service=opts.service,
            environment=opts.environment,
            purpose=opts.purpose,
            rotation_period=opts.rotation_period,
            notes="imported",
        )
        keyset = keyset._replace(versions=(keyset.versions[0], *versions[1:]))
        pairs = [(v, c.secret) for v, c in zip(keyset.versions, plan.group, strict=True)]
        keys._store_versions(keys.index.load(), keyset, pairs)
        note(versions[0].kid)
    weak = tuple(f"{c.label}: {c.weak}" for c in plan.group if c.weak)
    notes = tuple(c.note for c in plan.group if c.note)
    return Imported(keyset, tuple(c.label for c in plan.group), weak, notes)
