"""`inspect` (parse + verify + validate + lint) of a ~1 KB token against a 50-version keyset.

Run: .venv/bin/python benchmarks/bench_inspect.py [--n N] [--n-rs-nokid N]
For HS256 and RS256 (RSA 2048), with a kid in the header and without one, prints the p50 and
p99 of jwtdesk.core.inspect.inspect in microseconds beside a bare PyJWT
``jwt.decode(token, right_key, algorithms=[alg], options={"verify_aud": False})``, measured
alternately in the same run, and the ratio of the two p50s. The signing key is the last of the
50 candidates: without a kid every candidate of the family may be tried, so that is the worst
case. Goal (with kid): p50 <= 1.5x bare PyJWT and p99 < 2 ms.
"""

from __future__ import annotations

import argparse
import functools
import gc
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from jwtdesk.core import keyfile, tokens
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.secret import Secret

VERSIONS = 50
TOKEN_BYTES = 1024
GOAL_RATIO = 1.5
GOAL_P99_US = 2000.0


def keyset(alg: str) -> tuple[list[Candidate], Any, Any]:
    """50 candidates with distinct kids; returns them, the signing key and the verifying key."""
    cands: list[Candidate] = []
    signing: Any = None
    verifying: Any = None
    for n in range(VERSIONS):
        kid = f"2026-{n:02d}-{secrets.token_hex(8)}"
        label = f"keyset bench kid {kid}"
        state = "current" if n == VERSIONS - 1 else "previous"
        extra = {"kid": kid, "alg": alg, "keyset": "bench", "state": state, "source": "keyset"}
        if alg == "HS256":
            signing = verifying = secrets.token_bytes(64)  # bare bytes for PyJWT's side
            cands.append(Candidate(label, KeyType.OCT, Secret(signing), **extra))
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            signing, verifying = private, private.public_key()
            cands.append(keyfile.from_public_key(verifying, label, **extra))
    return cands, signing, verifying  # the last one signs


def claims() -> dict[str, Any]:
    now = datetime.now(UTC)
    out: dict[str, Any] = {
        "iss": "https://id.example.com",
        "sub": "user-1234567890",
        "aud": "api.example.com",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
        "jti": secrets.token_hex(16),
        "scope": "read write",
    }
    return out


def padded(alg: str, key: Any, kid: str | None) -> str:
    """A token of ~TOKEN_BYTES: claims padded with a list of role names."""
    body = claims()
    roles: list[str] = []
    body["roles"] = roles
    header = {"kid": kid} if kid else {}
    while len(tokens.sign(body, header, alg, key)) < TOKEN_BYTES:
        roles.append(f"role-{len(roles):03d}")
    return tokens.sign(body, header, alg, key)


def measure(n: int, fns: list[Callable[[], object]]) -> list[list[float]]:
    """Run the functions alternately n times each; microseconds per call, per function."""
    out: list[list[float]] = [[] for _ in fns]
    for fn in fns:  # warm up
        for _ in range(min(n, 50)):
            fn()
    gc.collect()
    clock = time.perf_counter_ns
    for _ in range(n):
        for times, fn in zip(out, fns, strict=True):
            start = clock()
            fn()
            times.append((clock() - start) / 1000)
    return out


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--n-rs-nokid", type=int, default=500, help="N for RS256 without kid")
    args = parser.parse_args()
    expect = Expectations(iss="https://id.example.com", aud="api.example.com")
    rows = []
    for alg in ("HS256", "RS256"):
        start = time.perf_counter()
        cands, signing, verifying = keyset(alg)
        made = time.perf_counter() - start
        print(f"{alg}: {VERSIONS} key versions generated in {made:.1f} s")
        for with_kid in (True, False):
            token = padded(alg, signing, cands[-1].kid if with_kid else None)
            report = inspect(token, cands, expect)
            assert report.valid, report.errors
            assert report.verified_by == cands[-1]
            tried = 1 if with_kid else VERSIONS
            n = args.n if with_kid or alg == "HS256" else args.n_rs_nokid

            ours = functools.partial(inspect, token, cands, expect)
            bare = functools.partial(
                jwt.decode, token, verifying, algorithms=[alg], options={"verify_aud": False}
            )
            mine, theirs = measure(n, [ours, bare])
            rows.append((alg, with_kid, len(token), tried, n, mine, theirs))
    print()
    print(f"inspect() of a ~{TOKEN_BYTES} B token, keyset of {VERSIONS} versions, signer last")
    head = f"{'case':<14}{'bytes':>6}{'tried':>6}{'N':>6}{'p50 us':>9}{'p99 us':>9}"
    print(head + f"{'PyJWT p50':>11}{'ratio':>7}  goal (kid: <= {GOAL_RATIO}x, p99 < 2 ms)")
    for alg, with_kid, size, tried, n, mine, theirs in rows:
        p50, p99, base = statistics.median(mine), p(mine, 99), statistics.median(theirs)
        ratio = p50 / base
        goal = "-"
        if with_kid:
            met = ratio <= GOAL_RATIO and p99 < GOAL_P99_US
            goal = "met" if met else "NOT met"
        case = f"{alg} {'kid' if with_kid else 'no kid'}"
        print(
            f"{case:<14}{size:>6}{tried:>6}{n:>6}{p50:>9.1f}{p99:>9.1f}{base:>11.1f}"
            f"{ratio:>6.2f}x  {goal}"
        )


if __name__ == "__main__":
    main()
