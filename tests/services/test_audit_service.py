"""The audit use cases over an in-memory keyring (unit tests): stored secrets are read once,
in one batch, each with an audit-log line; the results carry the flags and no secret text."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService
from jwtdesk.services import audit as svc
from tests.keyrings import MemoryKeyring

OPTIONS = svc.AuditOptions(workers=2)


def put(service: KeyService, name: str, value: bytes) -> None:
    version = service.get(name).current
    assert version is not None
    service.vault.put(version.id, Secret(value))


def test_audit_keys_reads_each_secret_once(
    memory_service: KeyService, memory_keyring: MemoryKeyring, home: Path
) -> None:
    for name in ("published", "twin-a", "twin-b", "fine"):
        memory_service.create(name, "HS256")
    memory_service.create("signing", "ES256")
    memory_service.rotate("fine")  # current + previous: two versions to check
    put(memory_service, "published", b"your-256-bit-secret")
    shared = os.urandom(48).hex().encode()
    put(memory_service, "twin-a", shared)
    put(memory_service, "twin-b", shared)
    before = memory_keyring.calls["get"]
    results = svc.audit_keys(memory_service, OPTIONS)
    assert memory_keyring.calls["get"] - before == 5  # one read per HMAC version, no more
    by_name = {(r.label, r.kid): r for r in results}
    assert len(by_name) == 5
    published = next(r for r in results if r.label == "published")
    assert published.found and published.source == "built-in list" and published.line
    assert published.strength is not None and published.strength.common
    twins = [r for r in results if r.label.startswith("twin")]
    assert [r.shared_with for r in twins] == [("twin-b",), ("twin-a",)]
    assert all(not r.found and r.strength and not r.strength.low for r in twins)
    fine = [r for r in results if r.label == "fine"]
    assert len(fine) == 2 and not any(r.flagged for r in fine)
    assert "your-256-bit-secret" not in repr(results)
    log = (home / "audit.log").read_text()
    assert log.count('"action": "audit"') == 5 and "your-256-bit-secret" not in log


def test_audit_tokens_cancelled_before_start() -> None:
    cancel = threading.Event()
    cancel.set()
    target = svc.parse_tokens(
        ["eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo"]
    )
    assert svc.audit_tokens(target, OPTIONS, cancel=cancel) == []


def test_a_secret_found_once_is_tried_on_the_next_tokens(tmp_path: Path) -> None:
    import jwt

    words = tmp_path / "w.txt"
    words.write_text("alpha\nshared-service-secret\n")
    tokens = [jwt.encode({"n": n}, "shared-service-secret", algorithm="HS256") for n in range(3)]
    options = svc.AuditOptions((str(words),), builtin=False, workers=1)
    first, second, third = svc.audit_tokens(svc.parse_tokens(tokens), options)
    assert first.found and first.line == 2 and first.tried == 2
    for r in (second, third):
        assert r.found and r.source == "the secret of token 1" and r.tried == 1
        assert r.secret is not None and r.secret.reveal() == b"shared-service-secret"


def test_result_flags_are_data_that_both_front_ends_word() -> None:
    from jwtdesk.cli.audit import _text
    from jwtdesk.core.secret_checks import Strength
    from jwtdesk.gui.models.audit import verdict

    r = svc.Result(
        label="shop",
        found=False,
        secret=None,
        source=None,
        line=None,
        tried=10,
        seconds=1.0,
        skipped={"crlf": 3, "binary": 2},
        strength=Strength(bits=40.0, alphabet="lowercase", common=True),
        shared_with=("billing",),
    )
    assert r.flags() == [
        svc.Flag.LOW_ENTROPY,
        svc.Flag.PUBLISHED,
        svc.Flag.SHARED,
        svc.Flag.SKIPPED_LINES,
    ]
    assert r.skipped_lines == {"binary": 2}  # CRLF lines are tried, not skipped
    cli = _text(r, reveal=False)
    gui = verdict(r)
    for words in (("low entropy", "published", "billing", "2 binary"),):
        assert all(w in cli for w in words)
        assert all(w in gui for w in words)
    assert "crlf" not in cli and "crlf" not in gui
    plain = svc.Result("k", False, None, None, None, 1, 1.0, strength=Strength(300.0, "hex", False))
    assert plain.flags() == []
