"""The weak-secret search: found at the first and last line for every HMAC algorithm, with
every rule and with token templates; not-found counted right; malformed lines counted and
skipped; cancel stops every worker; the C scanner and the Python path agree."""

from __future__ import annotations

import hmac
import multiprocessing
import os
import threading
from pathlib import Path

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtdesk.core import audit, audit_rules, audit_scan
from jwtdesk.core.audit_target import token_target
from jwtdesk.core.errors import InvalidInput

ALGS = ("HS256", "HS384", "HS512")
WORDS = [b"filler%05d" % i for i in range(20_000)]


def token(secret: str, alg: str = "HS256", **claims: object) -> str:
    return jwt.encode({"sub": "u1", **claims}, secret, algorithm=alg)


def wordlist(tmp_path: Path, lines: list[bytes], name: str = "words.txt") -> str:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def find(tok: str, sources: list[audit.Source], workers: int = 2) -> audit.Outcome:
    return audit.search(token_target(tok).job, sources, workers=workers)


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("where", ["first", "last"])
def test_found_at_first_and_last_line(tmp_path: Path, alg: str, where: str) -> None:
    secret = "correct-horse-battery"
    lines = [secret.encode(), *WORDS] if where == "first" else [*WORDS, secret.encode()]
    outcome = find(token(secret, alg), [audit.file_source(wordlist(tmp_path, lines))])
    (hit,) = outcome.hits
    assert hit.secret.reveal() == secret.encode()
    assert hit.line == (1 if where == "first" else len(lines))
    assert outcome.tried == hit.line  # every line before the hit, and the hit
    assert "correct" not in repr(outcome)


def test_not_found_counts_every_candidate(tmp_path: Path) -> None:
    outcome = find(token("not-in-the-list"), [audit.file_source(wordlist(tmp_path, WORDS))])
    assert outcome.hits == () and not outcome.cancelled
    assert outcome.tried == len(WORDS)
    assert outcome.skipped == dict.fromkeys(audit.SKIP_KINDS, 0)


def test_several_lists_report_the_list_and_its_line(tmp_path: Path) -> None:
    first = wordlist(tmp_path, WORDS[:100], "a.txt")
    second = wordlist(tmp_path, [b"x", b"y", b"hunter2-hunter2"], "b.txt")
    outcome = find(token("hunter2-hunter2"), [audit.file_source(first), audit.file_source(second)])
    (hit,) = outcome.hits
    assert (hit.source, hit.line, outcome.tried) == (second, 3, 103)


def test_builtin_list_finds_a_published_secret() -> None:
    outcome = find(token("your-256-bit-secret"), [audit.builtin_source()])
    assert outcome.hits and outcome.hits[0].source == "built-in list"
    # The list has CRLF line ends; counts stop at the hit, as `tried` does.
    assert outcome.skipped["crlf"] == outcome.hits[0].line == outcome.tried + 1  # +1: one empty


@pytest.mark.parametrize(
    ("word", "secret"),
    [
        (b"mysecret", "MYSECRET"),  # case
        (b"MySecret", "mysecret"),
        (b"mysecret", "Mysecret"),
        (b"mysecret", "mysecret7"),  # digits
        (b"mysecret", "mysecret42"),
        (b"mysecret", "mysecret123456"),
        (b"mysecret", "mysecret!"),
        (b"myapp-secret", "myapp-secret-2024"),  # years
        (b"myapp-secret", "myapp-secret_2019"),
        (b"myapp", "myapp2026"),
        (b"mysecret", "my53cr37"),  # leetspeak
        (b"password", "p@55w0rd"),
        (b"password", "p455w0rd2024"),  # leetspeak + year
    ],
)
def test_each_rule(tmp_path: Path, word: bytes, secret: str) -> None:
    lines = [b"alpha", b"beta", word, b"gamma"]
    path = wordlist(tmp_path, lines)
    assert find(token(secret), [audit.file_source(path)]).hits == ()  # not without rules
    outcome = find(token(secret, "HS384"), [audit.file_source(path, rules=True)])
    (hit,) = outcome.hits
    assert hit.secret.reveal() == secret.encode() and hit.line == 3


@pytest.mark.parametrize(
    ("claims", "secret"),
    [
        ({"iss": "https://auth.shop.example/"}, "shop-secret"),
        ({"iss": "https://auth.shop.example/"}, "shop-secret-2024"),
        ({"aud": ["billing-api"]}, "billing-api_jwt"),
        ({"aud": "orders"}, "Orders_jwt2025"),
        ({"iss": "https://login.acme.io"}, "acme.io-secret"),
        ({"sub": "svc:inventory"}, "jwt-inventory"),
    ],
)
def test_token_templates(claims: dict[str, object], secret: str) -> None:
    target = token_target(token(secret, "HS512", **claims))
    data = b"\n".join(audit_rules.templates(target.names))
    source = audit.Source("templates", data=data, rules=True)
    (hit,) = audit.search(target.job, [source], workers=2).hits
    assert hit.secret.reveal() == secret.encode()


def test_malformed_lines_are_counted_and_skipped(tmp_path: Path) -> None:
    lines = [
        b"",
        b"bin\x00ary",
        b"\xff\xfe\x01\x02",
        b"x" * (audit_scan.MAX_LINE + 1),
        b"crlf-word\r",
        b"",
        b"caf\xc3\xa9-latin",  # not ASCII, but text: tried
        b"tab\tinside",
        b"the-secret\r",
    ]
    path = wordlist(tmp_path, lines)
    outcome = find(token("the-secret"), [audit.file_source(path)])
    (hit,) = outcome.hits
    assert hit.line == 9 and hit.secret.reveal() == b"the-secret"
    assert outcome.skipped == {"empty": 2, "overlong": 1, "binary": 2, "crlf": 2}
    assert outcome.tried == 4


def test_a_line_longer_than_a_chunk_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge-line.txt"
    with path.open("wb") as f:
        f.write(b"a\n")
        for _ in range(3):
            f.write(b"z" * audit.CHUNK_BYTES)  # one 3 MiB line, never held whole
        f.write(b"\nlast-word")  # no final newline
    outcome = find(token("last-word"), [audit.file_source(str(path))])
    (hit,) = outcome.hits
    assert hit.line == 3 and outcome.skipped["overlong"] == 1 and outcome.tried == 2


def test_missing_wordlist_is_one_line() -> None:
    with pytest.raises(InvalidInput, match=r"cannot read wordlist /nonexistent/x\.txt"):
        audit.file_source("/nonexistent/x.txt")


def test_cancel_stops_every_worker(tmp_path: Path) -> None:
    """A long search (rules over 20k words: ~25M candidates) is cancelled once it runs; when
    search() returns, every worker process has exited."""
    path = wordlist(tmp_path, WORDS)
    cancel = threading.Event()
    pids: set[int] = set()
    outcomes: list[audit.Outcome] = []

    def on_progress(p: audit.Progress) -> None:
        pids.update(c.pid for c in multiprocessing.active_children() if c.pid)
        if p.tried > 0:
            cancel.set()

    def work() -> None:
        job = token_target(token("never-found")).job
        src = [audit.file_source(path, rules=True)]
        outcomes.append(audit.search(job, src, workers=2, on_progress=on_progress, cancel=cancel))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    (outcome,) = outcomes
    assert outcome.cancelled and outcome.hits == ()
    assert 0 < outcome.tried < len(WORDS) * audit_rules.expand_count(WORDS[0])
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # exited and reaped
    assert multiprocessing.active_children() == []


def test_python_path_finds_what_c_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_scan, "_c_scan", None)  # forked workers inherit it
    path = wordlist(tmp_path, [*WORDS[:500], b"py-secret\r", b""])
    outcome = audit.search(
        token_target(token("py-secret", "HS512")).job,
        [audit.file_source(path)],
        workers=2,
        start_method="fork",
    )
    (hit,) = outcome.hits
    assert hit.line == 501 and outcome.tried == 501


line_st = st.one_of(
    st.binary(max_size=12),
    st.sampled_from([b"", b"\r", b"w\r", b"x" * 1024, b"x" * 1025, b"a\x00b", b"t\tab"]),
)


@pytest.mark.skipif(not audit_scan.HAVE_C, reason="the C scanner is not built")
@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(line_st, max_size=30),
    pick=st.integers(0, 40),
    bits=st.sampled_from([256, 384, 512]),
    newline=st.booleans(),
)
def test_c_and_python_scanners_agree(
    lines: list[bytes], pick: int, bits: int, newline: bool
) -> None:
    chunk = b"\n".join(line.replace(b"\n", b"") for line in lines) + (b"\n" if newline else b"")
    words = chunk.split(b"\n")
    secret = words[pick].removesuffix(b"\r") if pick < len(words) else b"none"
    msg = b"eyJhbGciOi.eyJzdWIi"
    name = audit_scan.HASHES[bits]
    targets = hmac.digest(b"other", msg, name) + hmac.digest(secret, msg, name)
    pos = 0
    while True:
        c = audit_scan.scan(chunk, pos, msg, targets, bits)
        p = audit_scan._scan_python(chunk, pos, msg, targets, bits)
        assert c == p
        if c.target < 0:
            break
        pos = c.next


def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    import signal

    from jwtdesk.core.errors import JwtdeskError

    path = wordlist(tmp_path, WORDS)
    killed: list[int] = []

    def on_progress(p: audit.Progress) -> None:
        for child in multiprocessing.active_children():
            if child.pid and not killed:
                os.kill(child.pid, signal.SIGKILL)  # as the OOM killer would
                killed.append(child.pid)

    job = token_target(token("never-found")).job
    src = [audit.file_source(path, rules=True)]
    with pytest.raises(JwtdeskError, match="an audit worker process stopped unexpectedly"):
        audit.search(job, src, workers=2, on_progress=on_progress)
    assert killed and multiprocessing.active_children() == []
