"""Revocation throughput on a real redis-server and a real 3-master Redis Cluster.

Run: .venv/bin/python benchmarks/bench_revoke.py [--tokens N] [--runs R]   (also in `make bench`)
Starts both (loopback, free ports, a password, temp dirs; stopped by pid at the end). For each:
- revoke N tokens with RevocationService.revoke_tokens (parse each token, key, TTL = exp - now;
  every key's type checked, then SET … EX, as Lua scripts of 1,000 keys per call, per master in
  a cluster), beside raw redis-py pipelined SET … EX of the same keys;
- check N tokens with RevocationService.check_many (the middleware's three rules: EXISTS per
  token, GET per user and the global key, in the same scripts), beside raw pipelined EXISTS of
  the same keys.
Printed: median tokens/s of R runs each, the median of the per-run ratios jwtdesk / raw (goal
>= 0.8; the two are measured in alternation, so both see the same load), jwtdesk's extra cost
per token (negative: cheaper than raw), and how many EVALSHA calls the server(s) ran and refused
(besides NOSCRIPT on first use; a refusal falls back to pipelines: the figures would then not
be the scripts'). On a busy
machine the ratio holds better than the rates do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jwtdesk.core import revocation as rv  # noqa: E402
from jwtdesk.services import KeyService  # noqa: E402
from jwtdesk.services.revocation import RevocationService, Target  # noqa: E402
from jwtdesk.store.index import Index  # noqa: E402
from tests import redis_servers  # noqa: E402
from tests.keyrings import MemoryKeyring  # noqa: E402
from tests.revocation_helpers import target_for, token  # noqa: E402


def paired(
    ours: Callable[[], object],
    raw: Callable[[], object],
    n: int,
    runs: int,
    reset: Callable[[], object],
) -> tuple[float, float, float]:
    """Median rates of ``ours`` and ``raw``, measured in alternation (one of each per run, so
    both see the same load), and the median of the per-run ratios."""
    mine, theirs, ratios = [], [], []
    for _ in range(runs):
        pair = []
        for fn in (ours, raw):
            reset()
            start = time.perf_counter()
            fn()
            pair.append(n / (time.perf_counter() - start))
        mine.append(pair[0])
        theirs.append(pair[1])
        ratios.append(pair[0] / pair[1])
    return statistics.median(mine), statistics.median(theirs), statistics.median(ratios)


def line(label: str, what: str, n: int, result: tuple[float, float, float], ref: str) -> None:
    ours, raw, ratio = result
    extra_us = (1 / ours - 1 / raw) * 1e6
    print(f"{label:8} {what:6} {n:>6}  jwtdesk {ours:>8.0f}/s  raw {ref:6} {raw:>8.0f}/s  "
          f"ratio {ratio:.2f}  ({extra_us:+.1f} us/token)")  # fmt: skip


def raw_set(client: Any, items: list[tuple[str, str, int]]) -> None:
    pipe = client.pipeline(transaction=False)
    for key, value, ttl in items:
        pipe.set(key, value, ex=ttl)
    pipe.execute()


def raw_exists(client: Any, keys: list[str]) -> None:
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.exists(key)
    pipe.execute()


def evalsha_calls(nodes: list[Any]) -> tuple[int, int, int]:
    """EVALSHA calls, NOSCRIPT answers (first use: the script is loaded and the call sent
    again) and other refusals, on every node (INFO commandstats and errorstats)."""
    calls = refused = noscript = 0
    for node in nodes:
        client = node.client()
        stat = client.info("commandstats").get("cmdstat_evalsha", {})
        calls += int(stat.get("calls", 0))
        refused += int(stat.get("failed_calls", 0)) + int(stat.get("rejected_calls", 0))
        noscript += int(client.info("errorstats").get("errorstat_NOSCRIPT", {}).get("count", 0))
    return calls, noscript, refused - noscript


def bench(
    label: str,
    target: Target,
    raw: Any,
    flush: Callable[[], object],
    args: Any,
    *,
    nodes: list[Any],
) -> None:
    from jwtdesk.store.vault import Vault

    with tempfile.TemporaryDirectory() as home:
        svc = RevocationService(KeyService(Index(Path(home)), lambda: Vault(MemoryKeyring())))
        tokens = [token(f"user-{n % 100}") for n in range(args.tokens)]
        now = svc.clock()
        schema = target.conn.schema
        items = []
        for t in tokens:
            facts = rv.token_facts(t)
            key = schema.blacklist_key(rv.token_ident(facts, schema.mode))
            items.append((key, rv.BLACKLIST_VALUE, rv.blacklist_ttl(facts.exp, now, None)))
        keys = [k for k, _, _ in items]
        n, runs = args.tokens, args.runs
        result = paired(
            lambda: svc.revoke_tokens(target, tokens), lambda: raw_set(raw, items), n, runs, flush
        )
        line(label, "revoke", n, result, "SET")
        flush()
        svc.revoke_tokens(target, tokens[: n // 2])  # half revoked: both answers occur
        verdicts = svc.check_many(target, tokens)
        assert sum(v.revoked for v in verdicts) == n // 2
        result = paired(
            lambda: svc.check_many(target, tokens),
            lambda: raw_exists(raw, keys),
            n,
            runs,
            lambda: None,
        )
        line(label, "check", n, result, "EXISTS")
        calls, noscript, refused = evalsha_calls(nodes)
        print(f"{label:8} EVALSHA {calls} calls, {noscript} NOSCRIPT (loaded), {refused} refused")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    import redis

    try:
        import hiredis  # noqa: F401

        parser = "hiredis"
    except ImportError:
        parser = "pure-Python parser"
    print(f"redis-py {redis.__version__} ({parser}); {args.tokens} tokens, median of {args.runs}")
    with tempfile.TemporaryDirectory() as tmp:
        single = redis_servers.start(Path(tmp) / "single")
        cluster = None
        try:
            raw = single.client()
            bench("single", target_for(single), raw, raw.flushall, args, nodes=[single])
            cluster = redis_servers.start_cluster(Path(tmp) / "cluster")
            target = target_for(cluster, True)
            bench("cluster", target, cluster.client(), cluster.flush, args, nodes=cluster.nodes)
        finally:
            single.stop()
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
