"""Every token of a 50 MB HAR: stream-read, extract, and inspect each (transport lint included).

Run: .venv/bin/python benchmarks/bench_har.py [--mb 50] [--tokens 2000]
Writes a HAR 1.2 file in Chrome's shape to a temporary directory: entries with JSON bodies of
~20 KB, 2,000 distinct HS256 tokens travelling as Bearer headers, Set-Cookie headers, URL query
parameters and base64-encoded token responses. Each measurement runs in a fresh Python process
(peak memory is that process's VmHWM), and beside it the reference measured in the same run:
``json.load`` of the whole file and nothing else (what a naive reader does before it has found
a single token). Prints the times, peak memory, and the ratios to the reference.
Goal: peak memory of the streamed read well under the file size (bounded by the largest entry).
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jwt

SECRET = b"bench-har-secret-of-32-bytes-ok!"
CHILD = r"""
import json, sys, time
from pathlib import Path

def hwm():
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(x for x in status if x.startswith("VmHWM")).split()[1]) / 1024

mode, path = sys.argv[1], sys.argv[2]
if mode != "reference":
    from jwtdesk.core import keyfile
    from jwtdesk.core.inspect import Expectations
    from jwtdesk.core.lint_transport import storage_findings
    from jwtdesk.services.tokens import inspect_extraction, read_har
start = hwm()  # after imports: what the process needs before reading anything
if mode == "reference":
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    entries = len(doc["log"]["entries"])
    print(json.dumps({"load_s": time.perf_counter() - t0, "entries": entries,
                      "peak_mib": hwm(), "start_mib": start}))
else:
    t0 = time.perf_counter()
    x = read_har(path)
    t1 = time.perf_counter()
    read_peak = hwm()
    cands = [keyfile.secret(sys.argv[3].encode(), "bench secret")]
    result = inspect_extraction(x, cands, Expectations(), storage_findings)
    t2 = time.perf_counter()
    valid = sum(r.report.valid for r in result.reports)
    travel = sum(f.location == "transport" for r in result.reports for f in r.report.findings)
    print(json.dumps({"extract_s": t1 - t0, "inspect_s": t2 - t1, "tokens": len(x.found),
                      "entries": x.entries, "valid": valid, "transport_findings": travel,
                      "peak_mib": hwm(), "start_mib": start, "read_peak_mib": read_peak}))
"""


def make_har(path: Path, megabytes: int, tokens: int) -> tuple[int, int]:
    """Write the HAR; returns (entries, bytes)."""
    filler = json.dumps({"rows": [{"id": i, "name": "x" * 180} for i in range(100)]})
    target = megabytes * 1_000_000
    forms = ("bearer", "cookie", "url", "body")
    written = entries = 0
    with path.open("w", encoding="utf-8") as fh:
        head = '{"log": {"version": "1.2", "creator": {"name": "WebInspector"}, "entries": ['
        fh.write(head)
        written += len(head)
        while written < target or entries < tokens:
            n = entries % tokens
            token = jwt.encode({"sub": f"user{n}", "exp": 4102444800, "jti": str(n)}, SECRET)
            entry = _entry(entries, token, forms[entries % 4], filler)
            text = ("," if entries else "") + json.dumps(entry)
            fh.write(text)
            written += len(text)
            entries += 1
        fh.write("]}}")
    return entries, path.stat().st_size


def _entry(i: int, token: str, form: str, filler: str) -> dict[str, object]:
    url = f"https://api{i % 7}.example/v1/items/{i}"
    req_headers = [{"name": "accept", "value": "application/json"}]
    resp_headers = [{"name": "content-type", "value": "application/json"}]
    content: dict[str, object] = {"size": len(filler), "mimeType": "application/json"}
    content["text"] = filler
    if form == "bearer":
        req_headers.append({"name": "authorization", "value": f"Bearer {token}"})
    elif form == "cookie":
        value = f"session={token}; Path=/; Max-Age=86400; Secure"
        resp_headers.append({"name": "set-cookie", "value": value})
    elif form == "url":
        url += f"?access_token={token}"
    else:
        body = json.dumps({"access_token": token, "token_type": "Bearer"}) + filler
        content.update(text=base64.b64encode(body.encode()).decode(), encoding="base64")
    return {
        "startedDateTime": "2026-12-02T10:00:00.000Z",
        "time": 12.5,
        "request": {"method": "GET", "url": url, "httpVersion": "http/2.0",
                    "headers": req_headers, "queryString": [], "cookies": [],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "", "httpVersion": "http/2.0",
                     "headers": resp_headers, "cookies": [], "content": content,
                     "redirectURL": "", "headersSize": -1, "bodySize": -1},
        "cache": {},
        "timings": {"send": 0.1, "wait": 10, "receive": 2.4},
    }  # fmt: skip


def child(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), SECRET.decode()],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.har"
        t0 = time.perf_counter()
        entries, size = make_har(path, args.mb, args.tokens)
        made = time.perf_counter() - t0
        print(f"HAR: {size / 1e6:.1f} MB, {entries} entries, {args.tokens} distinct tokens "
              f"(written in {made:.1f} s)")  # fmt: skip
        ref = child("reference", path)
        got = child("jwtdesk", path)
    print(f"reference json.load of the whole file: {ref['load_s']:.2f} s, "
          f"peak {ref['peak_mib']:.0f} MiB")  # fmt: skip
    print(f"jwtdesk stream + extract:  {got['extract_s']:.2f} s "
          f"({got['extract_s'] / ref['load_s']:.2f}x the reference load)")  # fmt: skip
    per = got["inspect_s"] / max(got["tokens"], 1) * 1e6
    print(f"jwtdesk inspect all {got['tokens']:.0f} tokens: {got['inspect_s']:.2f} s "
          f"({per:.0f} us per token; {got['valid']:.0f} valid, "
          f"{got['transport_findings']:.0f} transport findings)")  # fmt: skip
    total = got["extract_s"] + got["inspect_s"]
    print(f"jwtdesk total: {total:.2f} s ({total / ref['load_s']:.2f}x the reference load)")
    read = got["read_peak_mib"] - got["start_mib"]
    grew = got["peak_mib"] - got["start_mib"]
    ref_grew = ref["peak_mib"] - ref["start_mib"]
    print(
        f"memory above start-up: jwtdesk stream + extract {read:.0f} MiB, with inspect of "
        f"every token (2,000 reports kept) {grew:.0f} MiB; reference json.load {ref_grew:.0f} "
        f"MiB; ratio (stream / reference) {read / ref_grew:.2f}x; file {size / 2**20:.0f} MiB"
    )
    ok = got["tokens"] == args.tokens and read < size / 2**20 / 4
    print("goal (every token found; reading grows memory by under a quarter of the file):",
          "met" if ok else "NOT met")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
