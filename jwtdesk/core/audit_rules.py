"""Rules of the weak-secret audit: variants of each word, and words made from a token.

The variants follow what the JWT guides show people doing: case changes ("MySecret"),
digits and years appended ("myapp-secret-2024", "secret123"), leetspeak ("s3cr3t"), and the
app's own name with "-secret", "_jwt" and a year. Every variant of a word is made with a few
bytes operations on the whole list at once (no per-candidate Python call), newline-joined
for the scanner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from time import gmtime

_YEAR_NOW = gmtime().tm_year  # UTC; not datetime: `audit token` start-up
YEARS = tuple(str(y).encode() for y in range(1990, _YEAR_NOW + 3))
# What a variant may end with; b"" keeps the word itself. Years alone and after - or _.
SUFFIXES: tuple[bytes, ...] = (
    b"",
    *(str(d).encode() for d in range(10)),
    *(b"%02d" % d for d in range(100)),
    b"123",
    b"1234",
    b"12345",
    b"123456",
    b"!",
    b"1!",
    b"123!",
    *YEARS,
    *(b"-" + y for y in YEARS),
    *(b"_" + y for y in YEARS),
)
_LEET = bytes.maketrans(b"aAeEiIoOsStT", b"443311005577")
_LEET_ALT = bytes.maketrans(b"aAeEiIoOsS", b"@@3311005$")
# Template parts: an app or host name joined to what the guides call their secret.
STEMS = (
    b"secret",
    b"jwt",
    b"key",
    b"token",
    b"jwt-secret",
    b"jwt_secret",
    b"secret-key",
    b"secret_key",
    b"signing-key",
    b"auth",
    b"hmac",
)
JOINERS = (b"-", b"_", b"", b".")
_WORD = re.compile(r"[A-Za-z0-9]+")
MAX_NAMES = 64


def variants(word: bytes) -> list[bytes]:
    """The distinct spellings of ``word`` the rules try before suffixes: as given, lower,
    upper, capitalised, title case, and two leetspeak forms."""
    forms = (
        word,
        word.lower(),
        word.upper(),
        word[:1].upper() + word[1:].lower(),
        word.title(),  # "Shop-Secret", "My_App"
        word.translate(_LEET),
        word.lower().translate(_LEET_ALT),
    )
    return list(dict.fromkeys(forms))


def expand(word: bytes) -> bytes:
    """Every rule variant of ``word`` (the word itself first), newline-separated."""
    return b"\n".join(form + (b"\n" + form).join(SUFFIXES) for form in variants(word))


def expand_count(word: bytes) -> int:
    return len(variants(word)) * len(SUFFIXES)


def names_from_claims(claims: Mapping[str, object]) -> list[str]:
    """App and host names a token carries: from iss, aud, sub, azp and client_id. A URL gives
    its host, the host's labels and the path's words ("https://auth.shop.example/api" gives
    "auth.shop.example", "auth", "shop", "example", "api")."""
    values: list[str] = []
    for claim in ("iss", "aud", "sub", "azp", "client_id"):
        value = claims.get(claim)
        items = value if isinstance(value, list) else [value]
        values += [v for v in items if isinstance(v, str) and 0 < len(v) <= 256]
    names: list[str] = []
    for value in values:
        names += _names_of(value)
    # At most MAX_NAMES: each name makes ~90 templates, ~125,000 candidates with the rules.
    return list(dict.fromkeys(n for n in names if 2 <= len(n) <= 64))[:MAX_NAMES]


def _names_of(value: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(value) if "://" in value else None
    host = (parts.hostname or "") if parts else ""
    path = parts.path if parts else value
    out = [host] if host else []
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    out += labels[:-1] if len(labels) > 1 else labels  # the TLD alone is no app name
    if len(labels) > 2:
        out.append(".".join(labels[-2:]))
    words = _WORD.findall(path)
    out += words
    if not parts and words:
        out.append(value)
    for joiner in ("-", "_", ""):
        if 1 < len(words) <= 4:
            out.append(joiner.join(words))
    return out


def templates(names: Iterable[str]) -> list[bytes]:
    """Candidates made from names: each name alone, and name + joiner + stem in both orders
    ("shop-secret", "shop_jwt", "jwt-shop"). The rules add case, digits and years to these."""
    out: list[bytes] = []
    for name in names:
        raw = name.encode("utf-8", "replace")
        out.append(raw)
        for stem in STEMS:
            for joiner in JOINERS:
                out.append(raw + joiner + stem)
                out.append(stem + joiner + raw)
    return list(dict.fromkeys(out))
