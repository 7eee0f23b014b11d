"""The suite carries what it reads: no test reaches outside the repository for vectors."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_reads_the_shared_folder_beside_the_clone() -> None:
    offenders = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("*.py")
        if path != Path(__file__).resolve()
        and ('"shared"' in (text := path.read_text(encoding="utf-8")) or "../shared" in text)
    ]
    assert offenders == []
