"""Token use cases: build with a stored key, inspect against stored keys and key files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from jwtdesk.core import inspect as inspectmod
from jwtdesk.core import keyfile, tokens
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.keyfile import Candidate
from jwtdesk.services.keys import KeyService, utcnow

MAX_KEY_FILE = 1 << 20


class TokenService:
    def __init__(self, keys: KeyService, clock: Callable[[], datetime] = utcnow) -> None:
        self.keys = keys
        self.clock = clock

    def build(self, keyset: str, req: tokens.TokenRequest, kid: str | None = None) -> str:
        """Sign with the keyset's current version (or ``kid``); the alg is the keyset's."""
        ks = self.keys.get(keyset)
        if req.preset is None:
            custom = ks.purpose is tokens.Preset.CUSTOM
            req = req._replace(preset=tokens.Preset.ACCESS if custom else ks.purpose)
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
                if isinstance(key, bytes):
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

    def inspect(
        self,
        token: str,
        *,
        keysets: Sequence[str] = (),
        key_files: Sequence[str] = (),
        secret_file: str | None = None,
        expect: inspectmod.Expectations | None = None,
    ) -> inspectmod.Report:
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
