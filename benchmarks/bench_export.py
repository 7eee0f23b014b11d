"""Export and drift check: keyring reads and time, with 200 keysets stored.

Run: .venv/bin/python benchmarks/bench_export.py [--runs N]   (also in `make bench`)
A profile exports the guides' variables from an access keyset (current + previous), a
refresh and a confirmation keyset, in every format. Printed per step: keyring reads (the
preview and the drift check must make none; the export one per secret it writes) and the
median time in ms. Reference in the same run: python-dotenv parsing the written file, the
cost a service pays to read it.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from counting_keyring import CountingKeyring, calls  # noqa: E402

from jwtdesk.core import envfile  # noqa: E402
from jwtdesk.services import KeyService  # noqa: E402
from jwtdesk.services.export import ExportService  # noqa: E402
from jwtdesk.store.index import Index  # noqa: E402
from jwtdesk.store.vault import Vault  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def reads(directory: Path, fn: Callable[[], object]) -> int:
    before = len(calls(directory))
    fn()
    return sum(1 for op in calls(directory)[before:] if op == "get")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["JWTDESK_BENCH_KEYRING"] = str(root)
        keys = KeyService(Index(root / "home"), lambda: Vault(CountingKeyring()))
        for n in range(197):
            keys.create(f"filler-{n:03}", "HS256")
        for name in ("api", "api-refresh", "api-confirm"):
            keys.create(name, "HS256")
        keys.rotate("api")
        svc = ExportService(keys)
        svc.create_profile(
            "prod",
            access="api",
            refresh="api-refresh",
            confirmation="api-confirm",
            issuer="https://auth.example",
            audience="api",
        )
        target = root / "prod.env"
        print(f"200 keysets; profile of {len(svc.profile('prod').bindings)} variables")
        print(f"{'step':34} {'keyring reads':>13} {'median ms':>10}")
        steps: list[tuple[str, Callable[[], object]]] = [
            ("plan + masked preview (dotenv)", lambda: svc.preview("prod")),
            ("export env -> file (dotenv)", lambda: svc.write("prod", target)),
            ("drift check of that file", lambda: svc.check(str(target), "prod")),
        ]
        for fmt in envfile.Format:
            if fmt is not envfile.Format.DOTENV:
                steps.append((f"render {fmt.value}", lambda f=fmt.value: svc.render("prod", f)))
        for label, fn in steps:
            count = reads(root, fn)
            print(f"{label:34} {count:>13} {timed(fn, args.runs):>10.2f}")
        from dotenv import dotenv_values

        text = target.read_text()
        ref = timed(lambda: dotenv_values(stream=io.StringIO(text)), args.runs)
        own = timed(lambda: envfile.parse(text), args.runs)
        print(f"{'reference: python-dotenv parse':34} {'-':>13} {ref:>10.2f}")
        print(f"{'jwtdesk envfile.parse (same file)':34} {'-':>13} {own:>10.2f}")


if __name__ == "__main__":
    main()
