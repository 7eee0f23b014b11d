"""Export use cases: profiles, env files for services, public keys as PEM / JWK / JWKS.

Reading a profile, planning and previewing an export read no secret: the preview renders
placeholders and masks them. Only writing (or printing) an export reads the keyring, once per
key version it needs, and each read is in the audit log as an ``export``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from jwtdesk.core import envfile, profiles
from jwtdesk.core import keysets as ks_mod
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.errors import Conflict, Fix, InvalidInput
from jwtdesk.core.keysets import KeySet, KeyVersion, State
from jwtdesk.core.profiles import Binding, Profile, Source
from jwtdesk.core.secret import Secret
from jwtdesk.services.changes import reports_change
from jwtdesk.services.keys import KeyService

if TYPE_CHECKING:
    from jwtdesk.services.drift import DriftReport


class Planned(NamedTuple):
    """One variable of a profile as it would be exported now; ``omitted`` says why not."""

    binding: Binding
    version: KeyVersion | None
    omitted: str | None = None
    multiline: bool = False  # private PEM, public PEM


class ExportService:
    def __init__(self, keys: KeyService) -> None:
        self.keys = keys

    # --- profiles (index only) --------------------------------------------------------

    def profiles(self) -> tuple[Profile, ...]:
        return self.keys.index.load().profiles

    def profile(self, name: str) -> Profile:
        return self.keys.index.load().profile(name)

    @reports_change
    def create_profile(
        self,
        name: str,
        *,
        access: str | None = None,
        refresh: str | None = None,
        confirmation: str | None = None,
        access_ttl: str = "15m",
        refresh_ttl: str = "7d",
        issuer: str = "",
        audience: str = "",
        fmt: str = "dotenv",
    ) -> Profile:
        parse_format(fmt)
        state = self.keys.index.load()

        def ks(n: str | None) -> KeySet | None:
            return state.get(n) if n else None

        bindings = profiles.default_bindings(
            access=ks(access),
            refresh=ks(refresh),
            confirmation=ks(confirmation),
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            issuer=issuer,
            audience=audience,
        )
        profile = profiles.new_profile(name, bindings, fmt)
        with self.keys.index.locked() as fresh:
            if any(p.name == name for p in fresh.profiles):
                raise Conflict(f"a profile named {name!r} already exists; choose another name")
            self.keys.index.write(fresh.put_profile(profile))
        return profile

    @reports_change
    def set_var(self, name: str, var: str, source: str) -> Profile:
        binding = profiles.binding(var, source)
        with self.keys.index.locked() as state:
            if binding.keyset:
                state.get(binding.keyset)  # NotFound names the keyset
            profile = profiles.with_binding(state.profile(name), binding)
            self.keys.index.write(state.put_profile(profile))
        return profile

    @reports_change
    def unset_var(self, name: str, var: str) -> Profile:
        with self.keys.index.locked() as state:
            profile = profiles.without(state.profile(name), var)
            self.keys.index.write(state.put_profile(profile))
        return profile

    @reports_change
    def set_format(self, name: str, fmt: str) -> Profile:
        parse_format(fmt)
        with self.keys.index.locked() as state:
            profile = state.profile(name)._replace(format=fmt)
            self.keys.index.write(state.put_profile(profile))
        return profile

    @reports_change
    def delete_profile(self, name: str) -> None:
        with self.keys.index.locked() as state:
            self.keys.index.write(state.drop_profile(name))

    # --- planning and preview (no keyring read) ---------------------------------------

    def plan(self, profile: Profile | str) -> list[Planned]:
        prof = self.profile(profile) if isinstance(profile, str) else profile
        state = self.keys.index.load()
        out = []
        for b in prof.bindings:
            if b.source is Source.VALUE:
                out.append(Planned(b, None))
                continue
            if not state.has(b.keyset):
                raise InvalidInput(
                    f"profile {prof.name!r} maps {b.var} to keyset {b.keyset!r}, which no longer "
                    "exists",
                    fix=Fix.REMAP_VARIABLE,
                )
            out.append(_plan_one(b, state.get(b.keyset)))
        return out

    def preview(self, profile: Profile | str, fmt: str | None = None, **opts: Any) -> str:
        """Exactly what would be written, with every secret masked; reads no secret."""
        prof = self.profile(profile) if isinstance(profile, str) else profile
        entries = []
        for p in self.plan(prof):
            if p.omitted is None:
                placeholder = b"masked\nmasked" if p.multiline else b"masked"
                value = Secret(placeholder) if p.binding.source.secret else self._public(p)
                entries.append(envfile.Entry(p.binding.var, value))
        return envfile.render(parse_format(fmt or prof.format), entries, mask=True, **opts)

    # --- exporting (reads secrets) ----------------------------------------------------

    def entries(self, profile: Profile | str) -> list[envfile.Entry]:
        """Every exported variable; secret values stay :class:`Secret` (one keyring read each)."""
        prof = self.profile(profile) if isinstance(profile, str) else profile
        return [
            envfile.Entry(p.binding.var, self._value(p))
            for p in self.plan(prof)
            if p.omitted is None
        ]

    def value(self, profile: Profile | str, var: str) -> str | Secret:
        """The value ``var`` of ``profile`` would be exported with: a :class:`Secret` for key
        material (one keyring read, for that variable only), text for public values."""
        prof = self.profile(profile) if isinstance(profile, str) else profile
        planned = next((p for p in self.plan(prof) if p.binding.var == var), None)
        if planned is None:
            raise InvalidInput(f"profile {prof.name!r} has no variable {var}")
        if planned.omitted is not None:
            raise Conflict(f"{var} is not exported now: {planned.omitted}")
        return self._value(planned)

    def render(self, profile: Profile | str, fmt: str | None = None, **opts: Any) -> str:
        prof = self.profile(profile) if isinstance(profile, str) else profile
        header = f"# written by jwtdesk for profile {prof.name}"
        fmt_ = parse_format(fmt or prof.format)
        return envfile.render(fmt_, self.entries(prof), header=header, **opts)

    def write(
        self,
        profile: Profile | str,
        path: Path,
        fmt: str | None = None,
        force: bool = False,
        **opts: Any,
    ) -> Path:
        if not force:
            self.check_secret_target(path)  # before any secret is read
        written = self.write_secret(self.render(profile, fmt, **opts), path, force)
        from jwtdesk.store import exportrecord

        prof = self.profile(profile) if isinstance(profile, str) else profile
        fmt_name = fmt or prof.format
        exportrecord.record(self.keys.index.home, written, prof.name, fmt_name, self.keys.clock())
        return written

    # --- public keys ------------------------------------------------------------------

    def jwks(self, names: Sequence[str]) -> dict[str, Any]:
        """RFC 7517 §5 JWK Set of the current and previous public keys, with kid/alg/use."""
        return ks_mod.jwks(self.keys.get(name) for name in names)

    def jwks_text(self, names: Sequence[str]) -> str:
        """The JWKS document exactly as it is printed and written, by the CLI and the GUI."""
        return ks_mod.jwks_text(self.jwks(names))

    def profile_jwks_names(self, profile: Profile | str) -> list[str]:
        """The keysets of a profile whose public keys a JWKS publishes (HMAC ones never)."""
        prof = self.profile(profile) if isinstance(profile, str) else profile
        names = [n for n in prof.keysets() if ks_mod.publishable(self.keys.get(n))]
        if not names:
            raise InvalidInput(
                f"profile {prof.name} uses only HMAC keysets; they are never published"
            )
        return names

    def write_jwks(self, names: Sequence[str], path: Path) -> Path:
        """Write the JWKS of ``names`` to ``path``: public, so a git work tree is no obstacle."""
        return self.write_public(self.jwks_text(names), path)

    def write_public(self, text: str, path: Path) -> Path:
        """Write public material (JWKS, public PEM or JWK); reads no secret, and needs no
        git-ignore check: it is meant to be published."""
        from jwtdesk.store.exportfile import write_export

        return write_export(path, text.encode("utf-8"), secret=False)

    def check_secret_target(self, path: Path) -> None:
        """Refuse (:class:`InGitTree`) a secret's path inside a git work tree that does not
        ignore it; callers ask before any secret is read."""
        from jwtdesk.store.exportfile import check_not_tracked

        check_not_tracked(path)

    def write_secret(self, text: str, path: Path, force: bool = False) -> Path:
        """Write secret material (0600, atomic); refused inside an un-ignored git work tree
        unless ``force``."""
        from jwtdesk.store.exportfile import write_export

        return write_export(path, text.encode("utf-8"), force=force)

    def public_pem(self, name: str, kid: str | None = None) -> str:
        from jwtdesk.core.keys import public_pem

        ks = self.keys.get(name)
        ks_mod.refuse_unpublishable(ks, "exported as a public key")
        version = _version(ks, kid)
        assert version.public_jwk is not None  # noqa: S101 - asymmetric keys have one
        return public_pem(version.public_jwk)

    def public_jwk(self, name: str, kid: str | None = None) -> dict[str, str]:
        ks = self.keys.get(name)
        ks_mod.refuse_unpublishable(ks, "exported as a public key")
        return ks_mod.public_jwk(ks, _version(ks, kid))

    def private_pem(self, name: str, kid: str | None = None) -> Secret:
        if self.keys.get(name).algorithm.kty is KeyType.OCT:  # refused before any keyring read
            raise InvalidInput(f"{name!r} is an HMAC keyset; export its secret as JWK or env")
        return self.keys.reveal(name, kid, action="export")[1]

    def private_jwk(self, name: str, kid: str | None = None) -> Secret:
        """The private JWK (or oct JWK) as JSON text, wrapped as a Secret."""
        from jwtdesk.core.keys import b64url, private_jwk_members

        ks = self.keys.get(name)
        version, secret = self.keys.secret(name, kid, action="export")
        if ks.algorithm.kty is KeyType.OCT:
            members = {"kty": "oct", "k": b64url(secret.reveal())}
        else:
            members = private_jwk_members(ks.algorithm, secret)
        doc = {**members, "kid": version.kid, "alg": ks.alg, "use": "sig"}
        return Secret(json.dumps(doc, indent=2).encode("ascii"))

    # --- drift check (no keyring read) ------------------------------------------------

    def check(
        self, path: str, profile: str | None = None, fmt: envfile.Format | None = None
    ) -> DriftReport:
        from jwtdesk.services import drift
        from jwtdesk.services.tokens import read_limited

        data = read_limited(path, "file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path} is not UTF-8 text; give an env file or a JWKS") from None
        state = self.keys.index.load()
        prof = state.profile(profile) if profile else None
        return drift.check_text(text, path, state, prof, fmt)

    # --- internals --------------------------------------------------------------------

    def _value(self, p: Planned) -> str | Secret:
        if p.binding.source.secret:
            return self._secret_value(p.binding.keyset, p.version)
        return self._public(p)

    def _secret_value(self, keyset: str, version: KeyVersion | None) -> Secret:
        """The secret as env files carry it (HMAC key text, private PEM), still a Secret;
        read through KeyService.reveal, the one place a secret becomes readable text."""
        assert version is not None  # noqa: S101 - planned key sources have a version
        _, value = self.keys.reveal(keyset, version.kid, action="export")
        try:  # checked here: Copy value shows it as text, and env files carry only text
            value.reveal().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                f"the secret of {keyset!r} is not text, and env files carry text",
                fix=Fix.PRIVATE_JWK,
            ) from None
        return value

    def _public(self, p: Planned) -> str:
        from jwtdesk.core.keys import public_pem

        b, v = p.binding, p.version
        if b.source is Source.VALUE:
            return b.value
        assert v is not None  # noqa: S101
        if b.source is Source.KID:
            return v.kid
        if b.source is Source.JWKS:
            return json.dumps(self.jwks([b.keyset]), separators=(",", ":"))
        assert v.public_jwk is not None  # noqa: S101 - checked in _plan_one
        return public_pem(v.public_jwk)


def parse_format(fmt: str) -> envfile.Format:
    try:
        return envfile.Format(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in envfile.Format)
        raise InvalidInput(f"{fmt!r} is not an export format; choose one of {choices}") from None


def _version(ks: KeySet, kid: str | None) -> KeyVersion:
    version = ks.version(kid) if kid else ks.current
    if version is None:
        raise Conflict(f"{ks.name!r} has no current key; rotate it to make one")
    return version


def _plan_one(b: Binding, ks: KeySet) -> Planned:
    symmetric = ks.algorithm.kty is KeyType.OCT
    if b.source in (Source.PUBLIC, Source.PUBLIC_PREVIOUS, Source.JWKS):
        ks_mod.refuse_unpublishable(ks, "exported as a public key")
    prev = b.source in (Source.PREVIOUS, Source.PUBLIC_PREVIOUS)
    version = ks.previous if prev else ks.current
    if version is None:
        if prev:
            return Planned(b, None, f"{ks.name} has no previous key (grace period over)")
        raise Conflict(f"{ks.name!r} has no current key; rotate it to make one")
    if b.source.secret and version.public_only:
        raise Conflict(
            f"{b.var}: {ks.name!r} holds only a public key (imported); it has no secret to export"
        )
    assert version.state is not State.RETIRED  # noqa: S101
    multiline = (b.source.secret and not symmetric) or b.source in (
        Source.PUBLIC,
        Source.PUBLIC_PREVIOUS,
    )
    return Planned(b, version, None, multiline)
