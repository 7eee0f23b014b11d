"""Export profiles: which values a service gets from jwtdesk, under which variable names.

A profile is non-secret metadata (it lives in the index): variable name -> source, where the
source is a keyset's current or previous secret, a public key or kid, a JWKS document, or a
literal non-secret value (lifetime, issuer, audience). The defaults follow the names the JWT
guides use: JWT_SECRET_CURRENT, JWT_SECRET_PREVIOUS, REFRESH_TOKEN_SECRET, CONFIRMATION_SECRET,
JWT_EXPIRES_IN, JWT_REFRESH_EXPIRES_IN.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

from jwtdesk.core.errors import InvalidInput, NotFound
from jwtdesk.core.keysets import KeySet, check_name

_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Source(Enum):
    CURRENT = "current"  # secret of the current version: HMAC key text or private PKCS#8 PEM
    PREVIOUS = "previous"  # secret of the previous version; the variable is omitted without one
    PUBLIC = "public"  # SubjectPublicKeyInfo PEM of the current version
    PUBLIC_PREVIOUS = "public-previous"  # ... of the previous version; omitted without one
    KID = "kid"  # the current version's kid
    JWKS = "jwks"  # JWKS JSON: current + previous public keys with kid/alg/use
    VALUE = "value"  # a literal, non-secret value

    @property
    def secret(self) -> bool:
        return self in (Source.CURRENT, Source.PREVIOUS)

    @property
    def optional(self) -> bool:
        """Omitted (not written empty) when the keyset has no such version."""
        return self in (Source.PREVIOUS, Source.PUBLIC_PREVIOUS)


class Binding(NamedTuple):
    var: str
    source: Source
    keyset: str = ""  # for every source but VALUE
    value: str = ""  # for VALUE

    def describe(self) -> str:
        if self.source is Source.VALUE:
            return f"value:{self.value}"
        return f"{self.keyset}:{self.source.value}"


class Profile(NamedTuple):
    name: str
    bindings: tuple[Binding, ...]
    format: str = "dotenv"
    notes: str = ""

    def binding(self, var: str) -> Binding:
        for b in self.bindings:
            if b.var == var:
                return b
        raise NotFound(f"profile {self.name!r} has no variable {var}")

    def keysets(self) -> list[str]:
        return sorted({b.keyset for b in self.bindings if b.source is not Source.VALUE})


def check_var(name: str) -> str:
    if not _VAR_RE.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not an environment variable name; use letters, digits and '_', "
            "not starting with a digit"
        )
    return name


def parse_source(text: str) -> tuple[Source, str, str]:
    """``KEYSET:current|previous|public|public-previous|kid|jwks`` or ``value:TEXT``."""
    head, sep, tail = text.partition(":")
    if not sep:
        raise InvalidInput(
            f"{text!r} is not a source; write KEYSET:current (or previous, public, "
            "public-previous, kid, jwks) or value:TEXT"
        )
    if head == "value":
        if "\n" in tail or "\r" in tail:
            raise InvalidInput("a literal value is one line; keys come from keysets")
        return Source.VALUE, "", tail
    try:
        source = Source(tail)
    except ValueError:
        choices = ", ".join(s.value for s in Source if s is not Source.VALUE)
        raise InvalidInput(f"{tail!r} is not a key source; choose one of {choices}") from None
    if source is Source.VALUE:
        raise InvalidInput("write a literal as value:TEXT")
    return source, check_name(head), ""


def binding(var: str, source_text: str) -> Binding:
    source, keyset, value = parse_source(source_text)
    return Binding(check_var(var), source, keyset, value)


def with_binding(profile: Profile, new: Binding) -> Profile:
    """``profile`` with ``new`` replacing the binding of the same variable (or appended)."""
    out = [new if b.var == new.var else b for b in profile.bindings]
    if not any(b.var == new.var for b in profile.bindings):
        out.append(new)
    return profile._replace(bindings=tuple(out))


def without(profile: Profile, var: str) -> Profile:
    profile.binding(var)  # NotFound when absent
    return profile._replace(bindings=tuple(b for b in profile.bindings if b.var != var))


def renamed_keyset(profile: Profile, old: str, new: str) -> Profile:
    bindings = tuple(b._replace(keyset=new) if b.keyset == old else b for b in profile.bindings)
    return profile._replace(bindings=bindings)


def default_bindings(
    *,
    access: KeySet | None = None,
    refresh: KeySet | None = None,
    confirmation: KeySet | None = None,
    access_ttl: str = "15m",
    refresh_ttl: str = "7d",
    issuer: str = "",
    audience: str = "",
) -> tuple[Binding, ...]:
    """The guides' variable names. An asymmetric access keyset exports its private key and the
    public keys services verify with, instead of a shared secret."""
    out: list[Binding] = []
    if access is not None:
        if access.algorithm.is_symmetric:
            out += [
                Binding("JWT_SECRET_CURRENT", Source.CURRENT, access.name),
                Binding("JWT_SECRET_PREVIOUS", Source.PREVIOUS, access.name),
            ]
        else:
            out += [
                Binding("JWT_PRIVATE_KEY", Source.CURRENT, access.name),
                Binding("JWT_PUBLIC_KEY_CURRENT", Source.PUBLIC, access.name),
                Binding("JWT_PUBLIC_KEY_PREVIOUS", Source.PUBLIC_PREVIOUS, access.name),
                Binding("JWT_KID", Source.KID, access.name),
            ]
        out.append(Binding("JWT_EXPIRES_IN", Source.VALUE, value=access_ttl))
    if refresh is not None:
        out.append(Binding("REFRESH_TOKEN_SECRET", Source.CURRENT, refresh.name))
        out.append(Binding("JWT_REFRESH_EXPIRES_IN", Source.VALUE, value=refresh_ttl))
    if confirmation is not None:
        out.append(Binding("CONFIRMATION_SECRET", Source.CURRENT, confirmation.name))
    if issuer:
        out.append(Binding("JWT_ISSUER", Source.VALUE, value=issuer))
    if audience:
        out.append(Binding("JWT_AUDIENCE", Source.VALUE, value=audience))
    return tuple(out)


def new_profile(name: str, bindings: tuple[Binding, ...], fmt: str = "dotenv") -> Profile:
    check_name(name, "profile name")
    seen: set[str] = set()
    for b in bindings:
        check_var(b.var)
        if b.var in seen:
            raise InvalidInput(f"the variable {b.var} is bound twice; give it one source")
        seen.add(b.var)
    return Profile(name, bindings, fmt)
