"""`jwtdesk audit token|keys` end to end: exit codes, --json, --reveal, stdin, exports, a 1 GB
wordlist in bounded memory, hashcat when installed, and stored keys in the real keyring."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from jwtdesk.cli import main
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService

SECRET = "orders-api-secret"


def tok(secret: str = SECRET, alg: str = "HS256", **claims: Any) -> str:
    return jwt.encode({"sub": "u1", **claims}, secret, algorithm=alg)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def words(tmp_path: Path) -> str:
    path = tmp_path / "words.txt"
    path.write_bytes(b"".join(b"word%d\n" % i for i in range(5000)) + SECRET.encode() + b"\n")
    return str(path)


def test_found_exits_1_and_masks_the_secret(capsys: pytest.CaptureFixture[str], words: str) -> None:
    code, out, err = run(capsys, "audit", "token", tok(), "--wordlist", words, "--workers", "2")
    assert code == 1, err
    assert "FOUND secret ••••••••" in out and f"line 5001 of {words}" in out
    assert SECRET not in out + err
    code, out, _ = run(capsys, "audit", "token", tok(), "--wordlist", words, "--reveal")
    assert code == 1 and f"FOUND secret {SECRET} at line 5001" in out


def test_json_document(capsys: pytest.CaptureFixture[str], words: str) -> None:
    t384, t512 = tok(alg="HS384"), tok("nowhere", "HS512")
    code, out, err = run(capsys, "audit", "token", t384, t512, "--wordlist", words, "--json")
    assert code == 1, err
    found, missed = json.loads(out)["results"]
    assert found["token"] == t384 and found["found"] is True and found["secret"] is None
    assert found["line"] == 5001 and found["source"] == words and found["alg"] == "HS384"
    assert found["tried"] >= 5001 and found["seconds"] > 0 and found["rate"] > 0
    assert missed == missed | {"token": t512, "found": False, "secret": None, "line": None}
    assert missed["tried"] > 5001  # the built-in list and the wordlist
    assert SECRET not in out + err
    code, out, _ = run(capsys, "audit", "token", t384, "--wordlist", words, "--json", "--reveal")
    assert json.loads(out)["results"][0]["secret"] == SECRET


def test_not_found_exits_0(capsys: pytest.CaptureFixture[str], words: str) -> None:
    code, out, _ = run(
        capsys, "audit", "token", tok("zz-unlisted"), "--wordlist", words, "--no-builtin"
    )
    assert code == 0 and "not found in 5,001 candidates" in out


def test_tokens_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, words: str
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{tok()}\n\n{tok('x-unlisted')}\n"))
    code, out, _ = run(capsys, "audit", "token", "-", "--wordlist", words, "--json")
    assert code == 1 and [r["found"] for r in json.loads(out)["results"]] == [True, False]


def test_tokens_from_a_file(capsys: pytest.CaptureFixture[str], words: str, tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text(f"# captured from the proxy log\nBearer {tok('x-unlisted')}\n\n{tok()}\n")
    code, out, _ = run(capsys, "audit", "token", "--token-file", str(path), "--wordlist", words,
                       "--json")  # fmt: skip
    assert code == 1 and [r["found"] for r in json.loads(out)["results"]] == [False, True]
    code, _, err = run(capsys, "audit", "token", "--token-file", str(tmp_path / "none.txt"))
    assert code == 1 and "cannot read token file" in err


def test_rules_and_templates_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    t = tok("Shop-Secret2025", iss="https://auth.shop.example")
    code, out, _ = run(capsys, "audit", "token", t, "--json")
    assert code == 0 and json.loads(out)["results"][0]["found"] is False
    code, _, err = run(capsys, "audit", "token", t, "--no-builtin")
    assert code == 1 and "no wordlist: give --wordlist FILE" in err
    code, out, _ = run(capsys, "audit", "token", t, "--no-builtin", "--rules", "--json")
    (r,) = json.loads(out)["results"]
    assert code == 1 and r["found"] and r["source"] == "templates from the token"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--workers", "0"], 2, "--workers takes 1 to 64"),
        (["--bogus"], 2, "unrecognized arguments"),
        (["--wordlist", "/nonexistent.txt"], 1, "cannot read wordlist /nonexistent.txt"),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, "audit", "token", tok(), *argv)
    assert got == code and message in err and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (jwt.encode({"a": 1}, "k" * 32, algorithm="HS256")[:-5], "the signature is"),
        ("not-a-token", "not a compact JWS"),
        ("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "only HS256/384/512 tokens"),
    ],
)
def test_unusable_tokens(capsys: pytest.CaptureFixture[str], token: str, message: str) -> None:
    code, _, err = run(capsys, "audit", "token", token)
    assert code == 1 and message in err and err.count("\n") == 1


def test_export_hashcat_and_john(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    t = tok()
    hc, john = tmp_path / "h.txt", tmp_path / "j.txt"
    code, _, _ = run(
        capsys, "audit", "token", t, "--export-hashcat", str(hc), "--export-john", str(john)
    )
    assert code == 0
    assert hc.read_text() == t + "\n"
    head, payload, sig = t.split(".")
    import base64

    mac = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)).hex()
    assert john.read_text() == f"{head}.{payload}#{mac}\n"
    assert stat.S_IMODE(hc.stat().st_mode) == 0o600


@pytest.mark.skipif(shutil.which("hashcat") is None, reason="hashcat is not installed")
def test_engine_hashcat(words: str, tmp_path: Path) -> None:
    """The real hashcat (OpenCL on the CPU via pocl). Its kernel caches are kept under
    .pytest_cache: the first run compiles for ~40 s, later runs take ~4 s."""
    cache = Path(__file__).parents[2] / ".pytest_cache" / "hashcat"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "XDG_DATA_HOME": str(cache)}
    argv = [sys.executable, "-m", "jwtdesk", "audit", "token", tok(), "--wordlist", words]
    proc = subprocess.run(
        [*argv, "--engine", "hashcat", "--json", "--reveal"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    (r,) = json.loads(proc.stdout)["results"]
    assert r["found"] and r["secret"] == SECRET and r["source"] == "hashcat"
    argv[5] = tok("not-in-the-list")
    proc = subprocess.run([*argv, "--engine", "hashcat", "--no-builtin", "--json"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (r,) = json.loads(proc.stdout)["results"]
    assert not r["found"] and r["tried"] == 5001


@pytest.mark.slow
def test_a_1gb_wordlist_streams_in_bounded_memory(tmp_path: Path) -> None:
    """~1.07 GB of 1,000-byte lines (so ~1.07 M candidates), the secret on the last line.
    The peak RSS of the CLI and of its largest worker stays far below the file's size."""
    path = tmp_path / "big.txt"
    block = (b"L" * 999 + b"\n") * 1024
    try:
        with path.open("wb") as f:
            for _ in range(1050):
                f.write(block)
            f.write(b"needle-in-a-gigabyte\n")
        probe = (
            "import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "print(p.stdout)\n"
        )
        t = tok("needle-in-a-gigabyte")
        argv = ["-m", "jwtdesk", "audit", "token", t, "--wordlist", str(path), "--no-builtin"]
        proc = subprocess.run(
            [sys.executable, "-c", probe, sys.executable, *argv, "--json"],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
    finally:
        path.unlink(missing_ok=True)
    first, doc = proc.stdout.split("\n", 1)
    code, max_rss_kib = map(int, first.split())
    (r,) = json.loads(doc)["results"]
    assert code == 1 and r["found"] and r["line"] == 1050 * 1024 + 1
    assert r["tried"] == 1050 * 1024 + 1
    print(f"peak RSS of the CLI and its workers: {max_rss_kib / 1024:.0f} MiB")
    assert max_rss_kib < 150 * 1024, f"peak RSS {max_rss_kib} KiB"


# --- stored keys ------------------------------------------------------------------------------

SHARED = "Zk3v9QpL2xW8mN4tR7yB1cD6fG0hJ5sA3eU8iO2pK9lM4nQ7rT1wX6zC0vB5"  # 60 chars, 357 bits


def _import(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, value: str) -> None:
    env = tmp_path / f"{name}.env"
    env.write_text(f"JWT_SECRET={value}\n")
    code, _, err = run(
        capsys, "import", str(env), "--var", "JWT_SECRET", "--name", name, "--allow-weak"
    )
    assert code == 0, err


@pytest.mark.secret_service
def test_audit_keys_flags_weak_and_shared(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _import(capsys, tmp_path, "weak", "billing2024")
    _import(capsys, tmp_path, "twin-a", SHARED)
    _import(capsys, tmp_path, "twin-b", SHARED[::-1])
    # jwtdesk refuses to import a key it already holds (same RFC 7638 thumbprint), so a shared
    # secret comes from outside: here the keyring entry is overwritten, as a copied keyring
    # or another tool writing to it would.
    version = real_service.get("twin-b").current
    assert version is not None
    real_service.vault.put(version.id, Secret(SHARED.encode()))
    assert run(capsys, "keys", "new", "strong", "--alg", "HS512")[0] == 0
    assert run(capsys, "keys", "new", "signing", "--alg", "ES256")[0] == 0  # not HMAC: skipped
    lst = tmp_path / "list.txt"
    lst.write_text("password\nbilling\n")
    code, out, err = run(
        capsys, "audit", "keys", "--wordlist", str(lst), "--no-builtin", "--rules", "--json"
    )
    assert code == 1, err
    got = {r["keyset"]: r for r in json.loads(out)["results"]}
    assert sorted(got) == ["strong", "twin-a", "twin-b", "weak"]
    weak, a, b, strong = got["weak"], got["twin-a"], got["twin-b"], got["strong"]
    assert weak["found"] and weak["secret"] is None and weak["line"] == 2
    assert weak["source"] == str(lst) and weak["low_entropy"] is True
    assert a["shared_with"] == ["twin-b"] and b["shared_with"] == ["twin-a"]
    assert not a["found"] and a["low_entropy"] is False and a["entropy_bits"] > 256
    assert strong == strong | {"found": False, "low_entropy": False, "shared_with": []}
    text_code, text, text_err = run(
        capsys, "audit", "keys", "--wordlist", str(lst), "--no-builtin", "--rules"
    )
    assert text_code == 1
    assert "weak (" in text and "FOUND secret ••••••••" in text and "same secret as twin-b" in text
    for secret in ("billing2024", SHARED):
        assert secret not in out + err + text + text_err
    code, out, _ = run(
        capsys,
        "audit",
        "keys",
        "--wordlist",
        str(lst),
        "--no-builtin",
        "--rules",
        "--json",
        "--reveal",
    )
    revealed = {r["keyset"]: r["secret"] for r in json.loads(out)["results"]}
    assert revealed == {"weak": "billing2024", "twin-a": None, "twin-b": None, "strong": None}


@pytest.mark.secret_service
def test_audit_keys_nothing_to_flag(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "keys", "new", "fine", "--alg", "HS256")[0] == 0
    code, out, err = run(capsys, "audit", "keys", "--json")
    assert code == 0, err
    (r,) = json.loads(out)["results"]
    assert r["keyset"] == "fine" and not r["found"] and r["tried"] > 100_000


def test_python_fallback_says_so(words: str) -> None:
    env = {**os.environ, "JWTDESK_AUDIT_PURE": "1"}
    argv = [sys.executable, "-m", "jwtdesk", "audit", "token", tok(), "--wordlist", words]
    proc = subprocess.run([*argv, "--json"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "note: the C scanner is not built" in proc.stderr and "libssl-dev" in proc.stderr
    assert json.loads(proc.stdout)["results"][0]["line"] == 5001


@pytest.mark.secret_service
def test_audit_keys_without_hmac_keys(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "keys", "new", "signing", "--alg", "ES256")[0] == 0
    code, out, _ = run(capsys, "audit", "keys")
    assert code == 0 and out.startswith("No stored HMAC keys to audit")
    code, out, _ = run(capsys, "audit", "keys", "--json")
    assert code == 0 and json.loads(out) == {"results": []}


def _group(pgid: int) -> list[str]:
    pgrep = ["pgrep", "-g", str(pgid)]
    return subprocess.run(pgrep, capture_output=True, text=True, check=False).stdout.split()


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep")
def test_ctrl_c_stops_the_cli_and_every_worker() -> None:
    import signal
    import time

    argv = [sys.executable, "-m", "jwtdesk", "audit", "token", tok("never"), "--rules"]
    argv += ["--workers", "2"]
    # Its own process group, like a terminal's foreground job: Ctrl+C reaches all of it.
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            process_group=0)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(_group(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_group(proc.pid)) == 3  # the CLI and its two workers
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and err == "jwtdesk: interrupted\n"
    assert _group(proc.pid) == []


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_on_stderr_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], words: str, tty: bool
) -> None:
    from jwtdesk.cli import audit as cli_audit
    from jwtdesk.core.audit import Progress

    stderr = _Tty(tty)
    monkeypatch.setattr(sys, "stderr", stderr)
    with cli_audit._Meter() as meter:
        meter.update("HS256 eyJzdWIi…", Progress(50_000_000, 200_000_000, 4_000_000, 2.0))
    text = stderr.getvalue()
    if tty:
        assert "HS256 eyJzdWIi…:  25.0% (50.0 MB of 200.0 MB), 4,000,000 tried, 2.00 M/s" in text
        assert "ETA 0m06s" in text and text.endswith("\r\033[K")  # the line is cleared
    else:
        assert text == ""
    code, out, _ = run(capsys, "audit", "token", tok(), "--wordlist", words, "--json")
    assert code == 1 and json.loads(out)["results"][0]["found"]  # stdout: the document only
    if tty:
        assert " MB), " in stderr.getvalue()[len(text) :]  # the run's own progress
    else:
        assert stderr.getvalue() == ""  # nothing when stderr is not a terminal


@pytest.mark.secret_service
def test_audit_keys_reports_a_missing_secret(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "keys", "new", "gone", "--alg", "HS256")[0] == 0
    version = real_service.get("gone").current
    assert version is not None and real_service.vault.delete(version.id)
    code, out, err = run(capsys, "audit", "keys")
    assert code == 1 and out.startswith(f"gone ({version.kid}): not checked: the secret of")
    assert "jwtdesk doctor" in out and err == ""


def test_audit_token_start_up_imports_only_what_it_needs(words: str) -> None:
    """`audit token` loads neither the key service, the other commands, the strict token
    parser, dataclasses nor multiprocessing (a run's fixed cost shows in its rate)."""
    heavy = [
        "jwtdesk.services.keys",
        "jwtdesk.store.index",
        "jwtdesk.cli.keys",
        "jwtdesk.cli.export",
        "jwtdesk.core.jose",
        "jwtdesk.core.keysets",
        "dataclasses",
        "multiprocessing",
        "importlib.resources",
    ]
    script = (
        "import sys; from jwtdesk.cli import main; code = main(sys.argv[1:]); "
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr); sys.exit(code)"
    )
    argv = [sys.executable, "-c", script, "audit", "token", tok(), "--wordlist", words, "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["results"][0]["line"] == 5001
    assert proc.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("secret", "code"), [(SECRET, 1), ("not-listed", 0)])
def test_fast_exit_keeps_output_and_exit_code(
    words: str, tmp_path: Path, secret: str, code: int
) -> None:
    """`python -m jwtdesk audit …` leaves by os._exit: what it printed is all there (to a
    pipe and to a file), with the exit code."""
    argv = [sys.executable, "-m", "jwtdesk", "audit", "token", tok(secret), "--wordlist", words]
    proc = subprocess.run([*argv, "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == code
    assert json.loads(proc.stdout)["results"][0]["found"] is (code == 1)
    out = tmp_path / "out.txt"
    with out.open("w") as f:
        proc = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE, check=False)
    text = out.read_text()
    assert proc.returncode == code and " candidates in " in text and text.endswith("\n")
    assert ("FOUND" in text) is (code == 1)
