"""Token use cases: build with a stored key, inspect against stored keys and key files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from jwtdesk.core import inspect as inspectmod
from jwtdesk.core import keyfile, tokens
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.extract import Extraction, Found
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.lint import Finding
from jwtdesk.core.secret import Secret
from jwtdesk.services.keys import KeyService, utcnow

MAX_KEY_FILE = 1 << 20
MAX_TOKEN_FILE = 1 << 20  # a token file (or a saved HTTP request) is far smaller than 1 MiB


class TokenReport(NamedTuple):
    found: Found  # the token and every place it was seen
    report: inspectmod.Report  # the full inspect, transport findings merged in


class Inspection(NamedTuple):
    """Every token of one input, inspected; ``findings`` are about the input itself (code
    that stores tokens in web storage), not about one token."""

    extraction: Extraction
    reports: tuple[TokenReport, ...]
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return bool(self.reports) and all(r.report.valid for r in self.reports)


class TokenService:
    def __init__(self, keys: KeyService, clock: Callable[[], datetime] = utcnow) -> None:
        self.keys = keys
        self.clock = clock

    def build(self, keyset: str, req: tokens.TokenRequest, kid: str | None = None) -> str:
        """Sign with the keyset's current version (or ``kid``); the alg is the keyset's."""
        ks = self.keys.get(keyset)
        if req.preset is None:
            req = req._replace(preset=tokens.preset_for(ks.purpose))
        claims = tokens.build_claims(req, self.clock())  # validate before touching the keyring
        version, key = self.keys.signing_key(ks, kid)
        return tokens.sign(claims, tokens.build_header(req, version.kid), ks.alg, key)

    def build_with_file(self, path: str, req: tokens.TokenRequest, alg: str | None) -> str:
        """Sign with a private key or oct JWK from a file (its alg from --alg or the JWK)."""
        signing = keyfile.load_signing(read_limited(path, "key file"), path, alg)
        claims = tokens.build_claims(req, self.clock())
        return tokens.sign(claims, tokens.build_header(req, signing.kid), signing.alg, signing.key)

    def keyset_candidates(self, names: Sequence[str]) -> list[Candidate]:
        """Current and previous versions of each keyset (one keyring read per version)."""
        out = []
        for name in names:
            ks = self.keys.get(name)
            for version, key in self.keys.verification_keys(ks):
                label = f"keyset {name} kid {version.kid}"
                extra = {
                    "kid": version.kid,
                    "alg": ks.alg,
                    "keyset": name,
                    "state": version.state.value,
                    "source": "keyset",
                }
                if isinstance(key, Secret):
                    out.append(Candidate(label, ks.algorithm.kty, key, **extra))
                else:
                    out.append(keyfile.from_public_key(key, label, **extra))
        return out

    def file_candidates(self, paths: Sequence[str]) -> list[Candidate]:
        out = []
        for path in paths:
            out += keyfile.load(read_limited(path, "key file"), path)
        return out

    def secret_candidate(self, path: str) -> tuple[Candidate | None, bool]:
        """The HMAC secret in ``path``; (None, True) when the file holds a public key, which is
        never used as an HMAC secret (RFC 8725 §3.1, CVE-2015-9235)."""
        from jwtdesk.core.weak import looks_like_public_key

        data = read_limited(path, "secret file")
        if looks_like_public_key(data.strip()):
            return None, True
        return keyfile.secret(data, path), False

    def candidates(
        self,
        keysets: Sequence[str] = (),
        key_files: Sequence[str] = (),
        secret_file: str | None = None,
        expect: inspectmod.Expectations | None = None,
    ) -> tuple[list[Candidate], inspectmod.Expectations]:
        """The keys to verify with (read once for every token) and the expectations."""
        expect = expect or inspectmod.Expectations()
        candidates = self.keyset_candidates(keysets) + self.file_candidates(key_files)
        if secret_file is not None:
            cand, public = self.secret_candidate(secret_file)
            if cand is not None:
                candidates.append(cand)
            expect = expect._replace(public_key_offered_as_secret=public)
        if expect.at is None:
            expect = expect._replace(at=self.clock())
        if expect.retired is None:  # the index knows retired kids: name them (no keyring read)
            expect = expect._replace(retired=inspectmod.retired_kids(self.keys.keysets()))
        return candidates, expect

    def inspect_all(
        self,
        extraction: Extraction,
        *,
        keysets: Sequence[str] = (),
        key_files: Sequence[str] = (),
        secret_file: str | None = None,
        expect: inspectmod.Expectations | None = None,
    ) -> Inspection:
        """The full inspect of every token found, with where it travelled judged too."""
        from jwtdesk.core.lint_transport import storage_findings

        candidates, expect = self.candidates(keysets, key_files, secret_file, expect)
        return inspect_extraction(extraction, candidates, expect, storage_findings)

    def inspect(
        self,
        token: str,
        *,
        keysets: Sequence[str] = (),
        key_files: Sequence[str] = (),
        secret_file: str | None = None,
        expect: inspectmod.Expectations | None = None,
    ) -> inspectmod.Report:
        candidates, expect = self.candidates(keysets, key_files, secret_file, expect)
        return inspectmod.inspect(token, candidates, expect)


def read_limited(path: str, what: str) -> bytes:
    """Read a small file the user named; errors name the path, never the content."""
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read the {what} {path}: {exc.strerror}") from None
    if len(data) > MAX_KEY_FILE:
        raise InvalidInput(f"the {what} {path} is over 1 MiB; is it the right file?")
    return data


def inspect_extraction(
    extraction: Extraction,
    candidates: Sequence[Candidate],
    expect: inspectmod.Expectations,
    code_findings: Callable[..., list[Finding]] | None = None,
) -> Inspection:
    from jwtdesk.core.lint_transport import with_transport

    # A bare token goes to inspect as given, so that trimming it is said (issue 12).
    given = extraction.given if len(extraction.found) == 1 else None
    reports = tuple(
        TokenReport(
            found,
            with_transport(
                inspectmod.inspect(given or found.token, candidates, expect),
                found,
                extraction,
                expect.preset,
            ),
        )
        for found in extraction.found
    )
    findings = tuple(code_findings(extraction.writes)) if code_findings else ()
    return Inspection(extraction, reports, findings)


def is_har(path: str, head: bytes) -> bool:
    """A HAR by its name, or by a JSON start naming "log" (a HAR saved as .json)."""
    if path.lower().endswith(".har"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"log"' in head[:4096]


def read_har(path: str) -> Extraction:
    """Every token in a HAR file, read as a stream (bounded memory, any size). Errors name
    the file, never its content; nothing found is written anywhere."""
    from jwtdesk.core import har

    name = Path(path).name
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            return har.scan(fh.read, name)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(f"cannot read {name}: {reason}; give a readable HAR file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text, so not a HAR file; {har.FIX}") from None


def read_token_file(path: str) -> str:
    """The text of a file holding a token (or a header, request, code): UTF-8 text of at most
    1 MiB. Errors name the file, never its content."""
    name = Path(path).name
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_TOKEN_FILE + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(f"cannot read {name}: {reason}; drop a readable file") from None
    if len(data) > MAX_TOKEN_FILE:
        raise InvalidInput(f"{name} is larger than 1 MiB: drop or paste just the token")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text: drop a text file with the token") from None


def read_input(path: str) -> tuple[str, Extraction | None]:
    """A dropped or named file: ("", the HAR's tokens) for a HAR, else (its text, None)."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            f"cannot read {Path(path).name}: {reason}; drop a readable file"
        ) from None
    if is_har(path, head):
        return "", read_har(path)
    return read_token_file(path), None
