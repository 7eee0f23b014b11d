"""A strict compact-JWS parser (RFC 7515 §7.1) that never raises.

``parse`` decodes whatever it can of a token and reports every departure from the compact
serialisation as a :class:`Defect` whose ``id`` is a rule id of :mod:`jwtdesk.core.lint`. It
verifies nothing: signatures, keys and claims are the business of other modules. It never
fetches anything either, and five-segment tokens (compact JWE, RFC 7516 §7.1) are recognised and
named, never decrypted.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_TOKEN_BYTES = 1 << 20  # 1 MiB: larger input is reported, not decoded
MAX_DEPTH = 32  # JSON nesting bound, checked before json.loads ever recurses
MAX_DUPLICATES = 50  # duplicate member paths recorded per segment

# Every id a Defect can carry; each is a rule in lint.CATALOGUE.
DEFECT_IDS: tuple[str, ...] = (
    "malformed",
    "segment-count",
    "whitespace",
    "too-large",
    "jwe",
    "padding",
    "non-canonical-base64",
    "duplicate-member",
    "crit-unknown",
)
# The defects after which a token is not well formed: it is not decoded (or not verified).
ERROR_IDS: frozenset[str] = frozenset({"malformed", "segment-count", "too-large", "crit-unknown"})
# Defects of spelling: the token still decodes (leniently, so people see what it says), but a
# strict RFC 7515 verifier rejects it, so the verdict is invalid and lint says "error". A second
# spelling of the same bytes also defeats a denylist keyed on the token text.
STRICT_IDS: frozenset[str] = frozenset(
    {"whitespace", "padding", "non-canonical-base64", "duplicate-member"}
)

SEGMENT_NAMES = ("header", "payload", "signature")
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(_B64URL)}
_OUTSIDE_ALPHABET = re.compile(r"[^A-Za-z0-9_\-+/]")
_STANDARD_ONLY = re.compile(r"[+/]")
_TO_URLSAFE = str.maketrans("+/", "-_")
_WHITESPACE = re.compile(r"\s")
# A JSON string, or an unterminated one running to the end: always matches, so the scan is linear.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
# Header names RFC 7515 defines; §4.1.11 forbids listing them in crit.
_REGISTERED = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)


@dataclass(frozen=True, slots=True)
class Defect:
    id: str  # a lint rule id, e.g. "non-canonical-base64"
    message: str  # one sentence for people; never includes the signature bytes
    segment: str | None  # "header" | "payload" | "signature" | None (whole token)
    offset: int | None  # character offset in the token as given, if known


@dataclass(frozen=True, slots=True)
class ParsedToken:
    raw: str  # the token as given (bytes decoded as ASCII, else UTF-8, else latin-1)
    segments: tuple[str, ...]  # the token without surrounding whitespace, split on "."
    header: dict[str, Any] | None  # None if not decodable to a JSON object
    claims: dict[str, Any] | None
    header_bytes: bytes | None
    payload_bytes: bytes | None
    signature: bytes | None
    signing_input: bytes | None  # ASCII of segments[0] + "." + segments[1] when 3 segments
    is_jwe: bool  # five segments (RFC 7516 §7.1 compact JWE): recognised, not decrypted
    duplicate_members: tuple[str, ...]  # e.g. ("header.alg", "payload.sub")
    defects: tuple[Defect, ...]

    @property
    def alg(self) -> str | None:
        value = self.header.get("alg") if self.header is not None else None
        return value if isinstance(value, str) else None

    @property
    def well_formed(self) -> bool:
        return (
            len(self.segments) == 3
            and self.header is not None
            and self.claims is not None
            and not any(d.id in ERROR_IDS for d in self.defects)
        )

    @property
    def strict_defects(self) -> tuple[Defect, ...]:
        """Spelling defects of a token that still decodes: each makes the verdict invalid."""
        return tuple(d for d in self.defects if d.id in STRICT_IDS)


def parse(token: str | bytes) -> ParsedToken:
    """Decode ``token`` as far as possible; report defects instead of raising."""
    try:
        return _parse(token)
    except Exception as exc:  # the parser's contract: any input gives a ParsedToken
        raw = token.decode("latin-1") if isinstance(token, bytes) else str(token)
        reason = f"jwtdesk could not parse this token ({type(exc).__name__})"
        return _result(raw, (), [Defect("malformed", reason, None, None)])


def _result(raw: str, segments: tuple[str, ...], defects: list[Defect]) -> ParsedToken:
    return ParsedToken(raw, segments, None, None, None, None, None, None, False, (), tuple(defects))


def _parse(token: str | bytes) -> ParsedToken:
    raw, size, defects = _read(token)
    if size > MAX_TOKEN_BYTES:
        message = f"the token is {size} bytes, over the {MAX_TOKEN_BYTES}-byte limit; not decoded"
        return _result(raw, (), [*defects, Defect("too-large", message, None, None)])
    text, lead = _strip(raw, defects)
    spaced = _WHITESPACE.search(text) is not None  # one scan; segments are checked only if so
    segments = tuple(text.split("."))
    starts = _starts(segments, lead)
    is_jwe = _check_count(segments, starts, defects)
    dups: list[str] = []
    header_bytes: bytes | None = None
    header: dict[str, Any] | None = None
    payload_bytes: bytes | None = None
    claims: dict[str, Any] | None = None
    signature: bytes | None = None
    signing_input: bytes | None = None
    if segments[0] or len(segments) == 3:
        header_bytes, header = _part(segments[0], "header", starts[0], dups, defects, spaced=spaced)
    if len(segments) >= 2 and not is_jwe and (segments[1] or len(segments) == 3):
        payload_bytes, claims = _part(
            segments[1], "payload", starts[1], dups, defects, spaced=spaced
        )
    if header is not None:
        defects.extend(_check_alg(header, starts[0]))
        defects.extend(_check_crit(header, starts[0]))
    if len(segments) == 3:
        signature, sig_defects = _b64decode(segments[2], "signature", starts[2], spaced)
        defects.extend(sig_defects)
        defects.extend(_check_empty_signature(signature, header, starts[2]))
        signed = f"{segments[0]}.{segments[1]}"
        signing_input = signed.encode("ascii") if signed.isascii() else None
    return ParsedToken(
        raw=raw,
        segments=segments,
        header=header,
        claims=claims,
        header_bytes=header_bytes,
        payload_bytes=payload_bytes,
        signature=signature,
        signing_input=signing_input,
        is_jwe=is_jwe,
        duplicate_members=tuple(dups),
        defects=tuple(defects),
    )


def _read(token: str | bytes) -> tuple[str, int, list[Defect]]:
    """The token as text, its size in bytes, and a defect if bytes were not ASCII."""
    if isinstance(token, str):
        size = len(token) if token.isascii() else len(token.encode("utf-8", "surrogatepass"))
        return token, size, []
    data = bytes(token)
    try:
        return data.decode("ascii"), len(data), []
    except UnicodeDecodeError as exc:
        where = exc.start
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raw = data.decode("latin-1")
    message = (
        f"the token has a non-ASCII byte at offset {where}; a compact JWS is ASCII (RFC 7515 §7.1)"
    )
    return raw, len(data), [Defect("malformed", message, None, where)]


def _strip(raw: str, defects: list[Defect]) -> tuple[str, int]:
    """Report whitespace around the token; parse without it (RFC 7515 §7.1). Whitespace inside a
    segment is reported by :func:`_b64decode`. Callers reading user input trim it first
    (:func:`trim_input`): a newline from a terminal is not part of the token."""
    if not (raw[:1].isspace() or raw[-1:].isspace()):
        return raw, 0  # the usual case, without copying the token
    text = raw.strip()
    lead = len(raw) - len(raw.lstrip())
    where = 0 if lead else len(text)
    message = f"the token has whitespace around it (offset {where}); a compact JWS has none"
    defects.append(Defect("whitespace", message, None, where))
    return text, lead


@dataclass(frozen=True, slots=True)
class Trimmed:
    """User input with the whitespace around it removed, and how much there was."""

    token: str | bytes  # bytes stay bytes, for the parser to report non-ASCII ones
    leading: int  # characters removed before the token
    trailing: int  # characters removed after it

    @property
    def note(self) -> str | None:
        """What was trimmed, for people; None when nothing was."""
        if not (self.leading or self.trailing):
            return None
        return (
            f"input trimmed: {self.leading} whitespace character(s) before the token and "
            f"{self.trailing} after it (a pasted or piped line break is not part of the token)"
        )


def trim_input(text: str | bytes) -> Trimmed:
    """The token in pasted or piped input: whitespace around it (a shell's newline, a terminal's
    line break) is input handling, not the token, so it is trimmed and said, never judged.
    Whitespace inside a segment stays for the parser to report."""
    token = text.strip()
    leading = len(text) - len(text.lstrip()) if token else len(text)
    return Trimmed(token, leading, len(text) - leading - len(token))


def _starts(segments: tuple[str, ...], lead: int) -> list[int]:
    starts, position = [], lead
    for segment in segments:
        starts.append(position)
        position += len(segment) + 1
    return starts


def _check_count(segments: tuple[str, ...], starts: list[int], defects: list[Defect]) -> bool:
    """Three segments for a JWS (RFC 7515 §7.1); five is a compact JWE (RFC 7516 §7.1)."""
    count = len(segments)
    if count == 5:
        message = "the token has five segments: an encrypted JWE; jwtdesk shows its header only"
        defects.append(Defect("jwe", message, None, None))
        return True
    if count != 3:
        where = starts[3] - 1 if count > 3 else None
        message = f"the token has {count} segment(s); a compact JWS has exactly three"
        defects.append(Defect("segment-count", message, None, where))
    return False


def _b64decode(
    segment: str, name: str, start: int, spaced: bool = True
) -> tuple[bytes | None, list[Defect]]:
    """Strict base64url without padding (RFC 7515 §2, RFC 4648 §5); lenient decode for display.

    Each departure is a defect (an error: the verdict is invalid), and the segment is still
    decoded where the bytes are unambiguous, so people see what the token says. The messages
    name a common library that takes the spelling anyway, so users know why a service may."""
    defects: list[Defect] = []
    space = _WHITESPACE.search(segment) if spaced else None
    if space is not None:
        message = (
            f"the {name} segment has whitespace or a line break; a compact JWS has none "
            "(Node's Buffer base64 decoding skips it)"
        )
        defects.append(Defect("whitespace", message, name, start + space.start()))
        segment = _WHITESPACE.sub("", segment)
    body = segment.rstrip("=")
    if len(body) < len(segment):
        message = (
            f"the {name} segment ends in '=' padding, which base64url in a JWS omits "
            "(PyJWT accepts it and AWS ALB emits it)"
        )
        defects.append(Defect("padding", message, name, start + len(body)))
    bad = _OUTSIDE_ALPHABET.search(body)
    if bad is not None:
        message = f"the {name} segment has {bad.group()!r}, outside the base64url alphabet"
        return None, [*defects, Defect("malformed", message, name, start + bad.start())]
    standard = _STANDARD_ONLY.search(body)
    if standard is not None:
        message = (
            f"the {name} segment uses '+' or '/' (standard base64), not base64url '-' '_' "
            "(Node's Buffer base64 decoding accepts both)"
        )
        defects.append(Defect("non-canonical-base64", message, name, start + standard.start()))
    remainder = len(body) % 4
    if remainder == 1:
        message = f"the {name} segment has an impossible base64url length ({len(body)} characters)"
        return None, [*defects, Defect("malformed", message, name, start + len(body) - 1)]
    if standard is not None:
        body = body.translate(_TO_URLSAFE)
    # RFC 4648 §3.5: the unused low bits of the last character must be zero.
    if remainder and _VALUE[body[-1]] & (0x0F if remainder == 2 else 0x03):
        message = (
            f"the {name} segment's last character has non-zero unused bits (RFC 4648 §3.5): "
            "a second spelling of the same bytes (Python's base64 and Node's Buffer ignore them)"
        )
        defects.append(Defect("non-canonical-base64", message, name, start + len(body) - 1))
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), defects


def _part(
    segment: str, name: str, start: int, dups: list[str], defects: list[Defect], *, spaced: bool
) -> tuple[bytes | None, dict[str, Any] | None]:
    data, found = _b64decode(segment, name, start, spaced)
    defects.extend(found)
    if data is None:
        return None, None
    value, paths, json_defects = _json_object(data, name, start)
    dups.extend(paths)
    defects.extend(json_defects)
    return data, value


def _offset(start: int, text: str, position: int) -> int:
    """The token offset of character ``position`` of a segment's decoded text (approximate)."""
    byte = len(text[:position].encode("utf-8", "surrogatepass"))
    return start + (byte // 3) * 4


def _json_object(
    data: bytes, name: str, start: int
) -> tuple[dict[str, Any] | None, list[str], list[Defect]]:
    """A JSON object in UTF-8 (RFC 7515 §5.2, RFC 7519 §7.2, RFC 8725 §3.7), depth-bounded."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"the {name} is not UTF-8 (byte {exc.start})"
        return None, [], [Defect("malformed", message, name, start + (exc.start // 3) * 4)]
    if _max_depth(text) > MAX_DEPTH:
        message = f"the {name} nests JSON deeper than {MAX_DEPTH} levels"
        return None, [], [Defect("malformed", message, name, start)]
    tracker = _Duplicates()
    try:
        value = json.loads(
            text,
            object_pairs_hook=tracker.hook,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        message = f"the {name} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        return None, [], [Defect("malformed", message, name, _offset(start, text, exc.pos))]
    except (ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, _Rejected) else "a number is too long"
        return (
            None,
            [],
            [Defect("malformed", f"the {name} is not usable JSON: {reason}", name, start)],
        )
    if not isinstance(value, dict):
        message = f"the {name} is JSON but not an object ({type(value).__name__})"
        return None, [], [Defect("malformed", message, name, start)]
    paths = tracker.paths(value, name)
    defects = [
        Defect(
            "duplicate-member", f"{_clip(path)} appears more than once (RFC 7515 §4)", name, start
        )
        for path in paths
    ]
    return value, paths, defects


def _max_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, found without recursion."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # too few brackets to nest too deep: skip the scan (inspect runs per keystroke)
    skeleton = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for char in skeleton:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


class _Rejected(ValueError):
    """A JSON value jwtdesk refuses; the message is for people."""


def _reject_constant(name: str) -> Any:
    raise _Rejected(f"{name} is not a JSON number (RFC 8259 §6)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Rejected("a number is out of range")
    return value


class _Duplicates:
    """object_pairs_hook that keeps the last value (as RFC 7515 §4 permits) and remembers
    every repeated name, so duplicates are reported rather than silently resolved."""

    def __init__(self) -> None:
        # id -> (the object, kept alive so its id stays unique; its repeated names)
        self.found: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            seen: set[str] = set()
            repeated: dict[str, None] = {}
            for key, _ in pairs:
                if key in seen:
                    repeated[key] = None
                seen.add(key)
            self.found[id(obj)] = (obj, list(repeated))
        return obj

    def paths(self, root: dict[str, Any], prefix: str) -> list[str]:
        if not self.found:
            return []
        out: list[str] = []
        stack: list[tuple[str, Any]] = [(prefix, root)]
        while stack and len(out) < MAX_DUPLICATES:
            path, node = stack.pop()
            if isinstance(node, dict):
                entry = self.found.get(id(node))
                if entry is not None and entry[0] is node:
                    out.extend(f"{path}.{name}" for name in entry[1])
                stack.extend((f"{path}.{k}", v) for k, v in reversed(node.items()))
            elif isinstance(node, list):
                stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(node))))
        return out[:MAX_DUPLICATES]


def _check_alg(header: dict[str, Any], start: int) -> list[Defect]:
    """RFC 7515 §4.1.1: alg is a case-sensitive string (its absence is lint's alg-none)."""
    if "alg" in header and not isinstance(header["alg"], str):
        message = f"the header's alg is a {type(header['alg']).__name__}, not a string"
        return [Defect("malformed", message, "header", start)]
    return []


def _check_crit(header: dict[str, Any], start: int) -> list[Defect]:
    """RFC 7515 §4.1.11: crit lists extension members present in the header; a recipient that
    does not understand one of them must reject the token. jwtdesk understands none."""
    if "crit" not in header:
        return []
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        message = "the header's crit must be a non-empty array of strings (RFC 7515 §4.1.11)"
        return [Defect("malformed", message, "header", start)]
    defects: list[Defect] = []
    names = list(dict.fromkeys(crit))
    if len(names) < len(crit) or any(n not in header or n in _REGISTERED for n in names):
        message = "crit may only list extension members present in the header, each once"
        defects.append(Defect("malformed", message, "header", start))
    shown = ", ".join(_clip(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
    message = f"the header marks {shown} as critical and jwtdesk understands none of them"
    defects.append(Defect("crit-unknown", message, "header", start))
    return defects


def _check_empty_signature(
    signature: bytes | None, header: dict[str, Any] | None, start: int
) -> list[Defect]:
    """Only an unsecured JWS (alg none, RFC 7518 §3.6) has an empty signature."""
    if signature != b"":
        return []
    alg = header.get("alg") if header is not None else None
    if isinstance(alg, str) and alg.strip().lower() == "none":
        return []
    message = "the signature segment is empty but alg is not none"
    return [Defect("malformed", message, "signature", start)]


def _clip(value: str, limit: int = 40) -> str:
    """``value`` quoted, cut to ``limit`` characters: messages never echo long token content."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
