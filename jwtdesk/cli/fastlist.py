"""`jwtdesk keys list [--json]` without argparse, services or the domain types: start-up time.

The issue asks `keys list` over 1,000 key versions to start within 1.5x of `jwtdesk --version`.
The normal path imports every command module, typing, the algorithm and keyset modules, the
store and services, and decodes every version into NamedTuples and Enums. This module reads the
index JSON itself and builds only what the table or the JSON document shows.

Its output is byte-identical to `jwtdesk.cli.keys.cmd_list` (with `jwtdesk.cli.output`): a
change to what `keys list` prints must be made in both; tests/cli/test_fastlist.py compares
them over many indexes and fails on any difference. It checks every entry the way
`jwtdesk.store.index.decode` does, but reports nothing itself: on any anomaly (a missing file
aside) — an unknown schema, a shape it does not expect, an algorithm it does not know, any
exception — :func:`run` prints nothing and returns None, and the caller takes the normal path,
whose code prints the error. It never touches the keyring.
"""

from __future__ import annotations

from jwtdesk.store.paths import home_str

# Not `from typing import TYPE_CHECKING`: importing typing costs start-up time (see cli).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import UTC, datetime, timedelta
    from typing import Any
else:
    try:  # the C classes `datetime` re-exports, without running datetime.py (~1.5 ms)
        from _datetime import UTC, datetime, timedelta
    except ImportError:  # not CPython
        from datetime import UTC, datetime, timedelta

# Mirrors of the tables the normal path reads; tests/cli/test_fastlist.py checks they agree.
SCHEMA = 1  # jwtdesk.store.index.SCHEMA
INDEX_NAME = "index.json"  # jwtdesk.store.index.INDEX_NAME
STATES = frozenset({"current", "previous", "retired"})  # jwtdesk.core.keysets.State
PURPOSES = frozenset({"access", "refresh", "confirmation", "custom"})  # ...keysets.Purpose
SOURCES = frozenset(  # jwtdesk.core.profiles.Source
    {"current", "previous", "public", "public-previous", "kid", "jwks", "value"}
)
# jwtdesk.core.algorithms: alg -> JWK kty, curve (what Algorithm.size_label reads)
ALGORITHMS: dict[str, tuple[str, str | None]] = {
    **{f"HS{bits}": ("oct", None) for bits in (256, 384, 512)},
    **{f"{fam}{bits}": ("RSA", None) for fam in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", "Ed25519"),
}
EMPTY = "No keysets yet. Create one: jwtdesk keys new NAME --alg HS256"
HEADERS = (
    *("NAME", "ALG", "SIZE", "SERVICE", "ENV", "PURPOSE", "KID", "VERS", "AGE"),
    *("ROTATE BY", "STATUS"),
)


class _Unusual(Exception):
    """The index holds something this module does not handle: take the normal path."""


def _now() -> datetime:
    return datetime.now(UTC)


def run(as_json: bool) -> int | None:
    """Print the list and return 0, or return None (printing nothing) for the normal path."""
    try:
        text = render(as_json, _now())
    except Exception:
        return None
    if text is None:
        return None
    print(text)
    return 0


def render(as_json: bool, now: datetime) -> str | None:
    """What `keys list` prints, or None when the normal path must answer."""
    try:
        # Not pathlib: a string path is all open() needs.
        with open(f"{home_str()}/{INDEX_NAME}", "rb") as fh:  # noqa: PTH123
            raw = fh.read()
    except FileNotFoundError:
        doc: Any = {"schema": SCHEMA}
    except OSError:
        return None
    else:
        doc = _loads(raw.decode("utf-8"))
    keysets = _check_index(doc)
    if as_json:
        import json

        listed = [_keyset_json(ks, cur, activated, now) for ks, cur, activated in keysets]
        return json.dumps({"keysets": listed}, indent=2, ensure_ascii=False)
    if not keysets:
        return EMPTY
    return _table([_row(ks, cur, activated, now) for ks, cur, activated in keysets])


class _JsonContext:
    """The settings json.loads hands its C scanner (JSONDecoder's defaults), but NaN/Infinity."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        raise _Unusual  # NaN, Infinity: jwtdesk never writes them


def _loads(text: str) -> Any:
    """``json.loads(text)`` by the same C scanner, without importing json (~1.5 ms)."""
    try:
        from _json import make_scanner
    except ImportError:  # not CPython
        import json

        return json.loads(text)
    # json.loads skips the same whitespace around the document, and nothing else.
    scan = make_scanner(_JsonContext)  # type: ignore[arg-type]  # typeshed: duck-typed
    doc, end = scan(text, len(text) - len(text.lstrip(" \t\n\r")))
    if text[end:].strip(" \t\n\r"):
        raise _Unusual
    return doc


# --- checking: what jwtdesk.store.index.decode accepts, or less ---------------------------
# Any exception means "not as expected" as well: datetime.fromisoformat raises TypeError for a
# value that is not a string, as it does in the normal path.

if TYPE_CHECKING:
    # a keyset, its current version, that version's activation time
    _Keyset = tuple[dict[str, Any], dict[str, Any] | None, datetime | None]


def _check_index(doc: Any) -> list[_Keyset]:
    """Each keyset with its current version and that version's activation time."""
    if type(doc) is not dict or type(doc.get("schema")) is not int or doc["schema"] > SCHEMA:
        raise _Unusual
    keysets = doc.get("keysets", [])
    pending = doc.get("pending", [])
    profiles = doc.get("profiles", [])
    if type(keysets) is not list or type(pending) is not list or type(profiles) is not list:
        raise _Unusual
    checked = [_check_keyset(ks) for ks in keysets]
    for p in pending:
        if type(p) is not dict or not ("id" in p and "op" in p and "keyset" in p):
            raise _Unusual
        _time(p["since"])
    for prof in profiles:
        if type(prof) is not dict or "name" not in prof or type(prof["bindings"]) is not list:
            raise _Unusual
        for b in prof["bindings"]:
            if type(b) is not dict or "var" not in b or b["source"] not in SOURCES:
                raise _Unusual
    return checked


def _check_keyset(ks: Any) -> _Keyset:
    if type(ks) is not dict or type(ks["name"]) is not str or ks["alg"] not in ALGORITHMS:
        raise _Unusual
    if ks.get("purpose", "custom") not in PURPOSES or type(ks["rotation_period_s"]) is not int:
        raise _Unusual
    for key in ("service", "environment", "notes"):
        if type(ks.get(key, "")) is not str:
            raise _Unusual
    timedelta(seconds=ks["rotation_period_s"])  # raises where the normal path would
    _time(ks["created"])
    versions = ks["versions"]
    if type(versions) is not list:
        raise _Unusual
    cur = activated = None
    for v in versions:
        started = _check_version(v)
        if cur is None and v["state"] == "current":
            cur, activated = v, started
    return ks, cur, activated


def _check_version(v: Any) -> datetime | None:
    """Checks one version; returns its activation time."""
    if type(v) is not dict or type(v["id"]) is not str or type(v["kid"]) is not str:
        raise _Unusual
    size, jwk = v.get("size"), v.get("public_jwk")
    if v["state"] not in STATES or (size is not None and type(size) is not int):
        raise _Unusual
    if jwk is not None:
        if type(jwk) is not dict:
            raise _Unusual
        "".join(jwk.values())  # TypeError unless every value is a string (index._jwk)
    _time(v["created"])
    retired = v.get("retired")
    if retired is not None:
        _time(retired)
    started = v.get("activated")
    return None if started is None else _time(started)


def _time(value: str) -> datetime:
    """As jwtdesk.store.index._req_t: an ISO 8601 string with an offset."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise _Unusual
    return parsed


def _time_or_none(value: str | None) -> datetime | None:
    return None if value is None else _time(value)


# --- output: as jwtdesk.cli.keys.cmd_list and jwtdesk.cli.output ---------------------------


def _rotate_by(ks: dict[str, Any], activated: datetime | None) -> datetime | None:
    """KeySet.rotate_by: the current version's activation plus the rotation period."""
    return None if activated is None else activated + timedelta(seconds=ks["rotation_period_s"])


def _row(
    ks: dict[str, Any], cur: dict[str, Any] | None, activated: datetime | None, now: datetime
) -> list[str]:
    rotate_by = _rotate_by(ks, activated)
    return [
        ks["name"],
        ks["alg"],
        _size_label(ks["alg"], cur.get("size") if cur else None),
        ks.get("service") or "-",
        ks.get("environment") or "-",
        ks.get("purpose", "custom"),
        (cur["kid"][:12] + "…") if cur else "-",
        str(len(ks["versions"])),
        _age(now - activated) if activated else "-",
        _short_time(rotate_by),
        "ROTATION DUE" if rotate_by is not None and now >= rotate_by else "ok",
    ]


def _size_label(alg: str, size: int | None) -> str:
    """Algorithm.size_label."""
    kty, curve = ALGORITHMS[alg]
    if kty == "oct":
        return f"{(size or 0) * 8} bits"
    if kty == "RSA":
        return f"RSA {size}"
    return curve or ""


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{sign}{seconds // size}{unit}"
    return f"{sign}{seconds}s"


def _short_time(t: datetime | None) -> str:
    return "-" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def _table(rows: list[list[str]]) -> str:
    """output.table(HEADERS, rows), a column at a time."""
    widths = [max(map(len, column)) for column in zip(HEADERS, *rows, strict=True)]
    lines = ["  ".join(map(str.ljust, row, widths)).rstrip() for row in (HEADERS, *rows)]
    return "\n".join(lines)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _format_period(seconds_in: int) -> str:
    """keysets.format_period(timedelta(seconds=seconds_in))."""
    seconds = int(timedelta(seconds=seconds_in).total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _version_json(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": v["id"],
        "kid": v["kid"],
        "state": v["state"],
        "created": _iso(_time(v["created"])),
        "activated": _iso(_time_or_none(v.get("activated"))),
        "retired": _iso(_time_or_none(v.get("retired"))),
        "size": v.get("size"),
    } | ({"public_only": True} if v.get("public_only") is True else {})


def _keyset_json(
    ks: dict[str, Any], cur: dict[str, Any] | None, activated: datetime | None, now: datetime
) -> dict[str, Any]:
    rotate_by = _rotate_by(ks, activated)
    return {
        "name": ks["name"],
        "alg": ks["alg"],
        "service": ks.get("service", ""),
        "environment": ks.get("environment", ""),
        "purpose": ks.get("purpose", "custom"),
        "rotation_period": _format_period(ks["rotation_period_s"]),
        "notes": ks.get("notes", ""),
        "created": _iso(_time(ks["created"])),
        "current_kid": cur["kid"] if cur else None,
        "rotate_by": _iso(rotate_by),
        "rotation_due": rotate_by is not None and now >= rotate_by,
        "versions": [_version_json(v) for v in ks["versions"]],
    }
