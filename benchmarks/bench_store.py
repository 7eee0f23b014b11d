"""`jwtdesk keys list` with 1,000 key versions stored: keyring reads and time beside --version.

Run: make bench  (or: .venv/bin/python benchmarks/bench_store.py [--runs N])
Prints the number of keyring calls `keys list` made (must be 0) and the median wall time of
`jwtdesk keys list` and `jwtdesk --version`, measured alternately in the same run.
"""

from __future__ import annotations

import argparse
import base64
import compileall
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from counting_keyring import CountingKeyring, calls  # noqa: E402

from jwtdesk.core import keys as keymod  # noqa: E402
from jwtdesk.core.algorithms import get  # noqa: E402
from jwtdesk.core.keysets import KeySet, KeyVersion, Purpose, State  # noqa: E402
from jwtdesk.store.index import Index, IndexState  # noqa: E402
from jwtdesk.store.vault import Vault  # noqa: E402

ALGS = ("HS256", "ES256", "EdDSA", "RS256")


def seed(home: Path, keysets: int, per_set: int) -> int:
    """Write `keysets` x `per_set` versions: real keys, secrets in the counting keyring."""
    vault = Vault(CountingKeyring())
    now = datetime.now(UTC)
    rsa = keymod.generate(get("RS256"), 2048)  # one RSA key, reused: generation is not measured
    out = []
    for n in range(keysets):
        alg = ALGS[n % len(ALGS)]
        versions = []
        for m in range(per_set):
            material = rsa if alg == "RS256" else keymod.generate(get(alg))
            state = (
                State.CURRENT
                if m == per_set - 1
                else State.PREVIOUS
                if m == per_set - 2
                else State.RETIRED
            )
            vid = f"kv-{secrets.token_hex(12)}"
            if state is not State.RETIRED:
                vault.put(vid, material.secret)
            created = now - timedelta(days=30 * (per_set - m))
            kid = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
            versions.append(
                KeyVersion(
                    vid, kid, state, created, created, None, material.size, material.public_jwk
                )
            )
        out.append(
            KeySet(
                f"svc{n:04d}-{alg.lower()}",
                f"service-{n % 17}",
                ("prod", "staging")[n % 2],
                Purpose.ACCESS,
                alg,
                timedelta(days=90),
                "",
                now - timedelta(days=400),
                tuple(versions),
            )
        )
    index = Index(home)
    with index.locked():
        index.write(IndexState(tuple(sorted(out, key=lambda k: k.name))))
    return sum(len(k.versions) for k in out)


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # An installed package ships compiled bytecode; make the checkout match.
    compileall.compile_dir(str(ROOT / "jwtdesk"), quiet=1)
    exe = str(Path(sys.executable).with_name("jwtdesk"))
    with tempfile.TemporaryDirectory() as tmp:
        home, ring = Path(tmp) / "home", Path(tmp) / "ring"
        ring.mkdir()
        os.environ["JWTDESK_BENCH_KEYRING"] = str(ring)
        versions = seed(home, 250, 4)
        size = (home / "index.json").stat().st_size
        env = {
            **os.environ,
            "JWTDESK_HOME": str(home),
            "PYTHON_KEYRING_BACKEND": "counting_keyring.CountingKeyring",
            "PYTHONPATH": str(HERE),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        (ring / "calls").unlink()
        lst, ver = [], []
        for _ in range(args.runs):
            ver.append(timed([exe, "--version"], env))
            lst.append(timed([exe, "keys", "list"], env))
        timed([exe, "keys", "list", "--json"], env)
        reads = calls(ring)
    med_l, med_v = statistics.median(lst) * 1e3, statistics.median(ver) * 1e3
    print(f"index: {versions} key versions in 250 keysets, {size / 1024:.0f} KiB")
    print(f"keyring calls during {args.runs + 1} `keys list` runs: {len(reads)}")
    print(f"jwtdesk --version : median {med_v:6.1f} ms  (min {min(ver) * 1e3:.1f})")
    print(f"jwtdesk keys list : median {med_l:6.1f} ms  (min {min(lst) * 1e3:.1f})")
    print(f"ratio list/version: {med_l / med_v:.2f}  (goal <= 1.50)")


if __name__ == "__main__":
    main()
