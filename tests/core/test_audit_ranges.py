"""The range path of the audit (forked workers reading their own pieces of the lists): every
line is owned by exactly one piece whatever the cut (empty lines, CRLF, no final newline, a
cut inside a line, overlong and binary lines), hits get their list's line number, results
match the queue path's, cancel and a dying worker stop every worker, and what cannot be cut
(a pipe, rules) takes the queue path."""

from __future__ import annotations

import hmac
import os
import signal
import threading
from pathlib import Path

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtdesk.core import audit, audit_ranges, audit_scan
from jwtdesk.core.audit_target import _parsed_target, token_target
from jwtdesk.core.errors import InvalidInput, JwtdeskError

MSG = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9"
LONG = b"o" * (audit_scan.MAX_LINE + 5)  # overlong, however it is cut


def token(secret: str, alg: str = "HS256") -> str:
    return jwt.encode({"sub": "u1"}, secret, algorithm=alg)


def children() -> set[int]:
    """This process's child processes (the forked workers)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        pids.update(int(p) for p in (task / "children").read_text().split())
    return pids


def whole_counts(data: bytes) -> tuple[int, ...]:
    """(tried, empty, overlong, binary, crlf) of one scan over the whole list."""
    s = audit_scan.scan(data, 0, MSG, b"\0" * 32, 256)
    assert s.next == len(data) or not data
    return s.tried, s.empty, s.overlong, s.binary, s.crlf


def piece_counts(data: bytes, piece: int) -> tuple[int, ...]:
    source = audit.Source("list", data=data)
    plan = audit_ranges.Plan([source], piece)
    want = audit_ranges._Want(audit.Job(MSG, 256, (b"\0" * 32,)))
    reader = audit_ranges._Reader(source, len(data))
    totals = [0, 0, 0, 0, 0]
    for n in range(plan.count):
        _, a, b = plan.locate(n)
        *counts, hits = audit_ranges.scan_piece(reader, a, b, want)
        assert hits == []
        totals = [x + y for x, y in zip(totals, counts, strict=True)]
    return tuple(totals)


line_st = st.one_of(
    st.binary(max_size=9).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"", b"\r", b"w\r", b"word", b"a\x00b", b"t\tab", LONG, b"x" * 1025 + b"\r"]),
)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(line_st, max_size=25), piece=st.integers(1, 40), final=st.booleans())
def test_every_line_is_counted_once_however_the_list_is_cut(
    lines: list[bytes], piece: int, final: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if final and lines else b"")
    assert piece_counts(data, piece) == whole_counts(data)


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 8, 13, 64])
def test_cuts_inside_lines_crlf_empty_and_no_final_newline(piece: int) -> None:
    data = b"alpha\r\n\n\nbeta\ngamma-delta-epsilon\r\n\r\n" + LONG + b"\nlast"
    assert piece_counts(data, piece) == whole_counts(data) == (4, 3, 1, 0, 3)


def test_an_overlong_line_across_many_pieces_is_one_skip_never_held() -> None:
    data = b"a\n" + b"z" * 5000 + b"\nb\n"
    assert piece_counts(data, 100) == (2, 0, 1, 0, 0)
    source = audit.Source("list", data=data)
    reader = audit_ranges._Reader(source, len(data))
    start, kept, dropped, cr = audit_ranges.piece_lines(reader, 0, 100)
    assert (start, kept, dropped, cr) == (0, b"a\n", 1, 0)  # the long line's tail: not kept
    assert audit_ranges.piece_lines(reader, 100, 200) == (200, b"", 0, 0)  # no line starts


def search_file(
    tmp_path: Path, data: bytes, secret: bytes, workers: int = 2, method: str = "fork"
) -> audit.Outcome:
    path = tmp_path / "words.txt"
    path.write_bytes(data)
    job = audit.Job(MSG, 256, (hmac.digest(secret, MSG, "sha256"),))
    return audit.search(job, [audit.file_source(str(path))], workers=workers, start_method=method)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(line_st, min_size=1, max_size=30),
    where=st.integers(0, 30),
    piece=st.integers(1, 30),
)
def test_hit_line_and_tried_across_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[bytes], where: int, piece: int
) -> None:
    """A secret anywhere (first line of a piece, last, across a cut): its line in the list,
    and `tried` counts the usable lines up to it, as the queue path does."""
    monkeypatch.setattr(audit_ranges, "PIECE_BYTES", piece)
    where = min(where, len(lines))
    lines = [*lines[:where], b"s3cret-word", *lines[where:]]
    data = b"\n".join(lines) + b"\n"
    outcome = search_file(tmp_path, data, b"s3cret-word")
    (hit,) = outcome.hits
    assert hit.line == where + 1 and hit.secret.reveal() == b"s3cret-word"
    usable, _ = audit_scan.clean_indexed(lines[: where + 1])
    assert outcome.tried == len(usable)


def test_secret_on_the_first_and_last_line_of_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_ranges, "PIECE_BYTES", 16)
    words = [b"w%03d" % i for i in range(60)]  # 5 bytes a line: pieces cut lines everywhere
    data = b"\n".join(words) + b"\n"
    for n, word in enumerate(words):
        outcome = search_file(tmp_path, data, word)
        assert [h.line for h in outcome.hits] == [n + 1]
        assert outcome.tried == n + 1


def test_same_answers_as_the_queue_path(tmp_path: Path) -> None:
    lines = [b"w%06d" % i for i in range(30_000)]
    lines[7] = lines[20_000] = b""
    lines[9] = b"bin\x00"
    lines[11] = LONG
    lines[12_345] += b"\r"
    data = b"\n".join([*lines, b"needle\r", b"tail"]) + b"\n"
    forked = search_file(tmp_path, data, b"needle")
    spawned = search_file(tmp_path, data, b"needle", method="spawn")
    assert forked.hits[0].line == spawned.hits[0].line == 30_001
    assert (forked.tried, forked.skipped) == (spawned.tried, spawned.skipped)
    missed = search_file(tmp_path, data, b"not-there")
    assert missed.tried == 30_002 - 4 and missed.hits == ()
    assert missed.skipped == {"empty": 2, "overlong": 1, "binary": 1, "crlf": 2}


def test_several_lists_and_a_list_in_memory(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_bytes(b"".join(b"a%05d\n" % i for i in range(50_000)))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    memory = audit.Source("in memory", data=b"x\ny\nz-secret\n")
    sources = [audit.file_source(str(first)), audit.file_source(str(empty)), memory]
    assert audit_ranges.applies(sources)
    job = token_target(token("z-secret")).job
    outcome = audit.search(job, sources, workers=2, start_method="fork")
    (hit,) = outcome.hits
    assert (hit.source, hit.line, outcome.tried) == ("in memory", 3, 50_003)


def test_several_targets_each_at_its_line(tmp_path: Path) -> None:
    words = [b"k%05d" % i for i in range(40_000)]
    data = b"\n".join(words) + b"\n"
    path = tmp_path / "w.txt"
    path.write_bytes(data)
    secrets = (words[3], words[39_999], words[20_000])
    job = audit.Job(MSG, 256, tuple(hmac.digest(s, MSG, "sha256") for s in secrets))
    outcome = audit.search(job, [audit.file_source(str(path))], workers=2, start_method="fork")
    assert [(h.target, h.line) for h in outcome.hits] == [(0, 4), (1, 40_000), (2, 20_001)]
    assert outcome.tried == 40_000


def test_a_pipe_or_rules_take_the_queue_path(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert not audit_ranges.applies([audit.Source("pipe", path=str(fifo))])
    assert not audit_ranges.applies([audit.Source("mem", data=b"a\n", rules=True)])

    def feed() -> None:
        with fifo.open("wb") as f:
            f.write(b"one\ntwo\npiped-secret\nfour\n")

    writer = threading.Thread(target=feed)
    writer.start()
    job = token_target(token("piped-secret")).job
    outcome = audit.search(job, [audit.Source("pipe", path=str(fifo))], start_method="fork")
    writer.join()
    assert [h.line for h in outcome.hits] == [3]


def big_list(tmp_path: Path) -> str:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        for start in range(0, 2_000_000, 100_000):
            f.write(b"".join(b"c%07d\n" % i for i in range(start, start + 100_000)))
    return str(path)


def test_cancel_stops_every_forked_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_scan, "_c_scan", None)  # the slow path: seconds of work
    path = big_list(tmp_path)
    cancel = threading.Event()
    seen: set[int] = set()
    before = children()  # e.g. multiprocessing's resource tracker, from earlier tests

    def on_progress(p: audit.Progress) -> None:
        seen.update(children() - before)
        if p.tried > 0:
            cancel.set()

    job = token_target(token("never-found")).job
    outcome = audit.search(
        job,
        [audit.file_source(path)],
        workers=2,
        on_progress=on_progress,
        cancel=cancel,
        start_method="fork",
    )
    assert outcome.cancelled and outcome.hits == ()
    assert 0 < outcome.tried < 2_000_000
    assert len(seen) == 2
    for pid in seen:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # exited and reaped
    assert children() == before


def test_a_forked_worker_that_dies_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_scan, "_c_scan", None)
    path = big_list(tmp_path)
    killed: list[int] = []
    before = children()

    def on_progress(p: audit.Progress) -> None:
        for pid in children() - before:
            if not killed:
                os.kill(pid, signal.SIGKILL)  # as the OOM killer would
                killed.append(pid)

    job = token_target(token("never-found")).job
    with pytest.raises(JwtdeskError, match="an audit worker process stopped unexpectedly"):
        audit.search(
            job, [audit.file_source(path)], workers=2, on_progress=on_progress, start_method="fork"
        )
    assert killed and children() == before


@pytest.mark.parametrize(
    "tok",
    [
        token("a", "HS256"),
        token("b", "HS384"),
        jwt.encode({"iss": "https://auth.shop.example/", "aud": ["api"]}, "c", algorithm="HS512"),
        token("d") + "=",  # padding: not canonical, jose's leniency
        jwt.encode({"x": 1}, "e", headers={"kid": "k"}),
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA",  # payload not JSON, short MAC
        "eyJhbGciOiJIUzI1NiJ9.WzFd." + "A" * 43,  # payload a JSON array
        "eyJhbGciOiJIUzI1NiIsIngiOk5hTn0.e30." + "A" * 43,  # NaN in the header
        "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",  # RS256
        "a.b.c.d.e",  # JWE
        "not a token",
        jwt.encode({"pad": "x" * (1 << 20)}, "f", algorithm="HS256"),  # over jose's 1 MiB limit
    ],
)
def test_quick_parse_agrees_with_jose(tok: str) -> None:
    try:
        expected = _parsed_target(tok)
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as got:
            token_target(tok)
        assert got.value.message == exc.message
        return
    assert token_target(tok) == expected
