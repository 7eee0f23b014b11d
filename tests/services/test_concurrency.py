"""Two processes rotating the same keyset at once end with a consistent index."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jwtdesk.core.keysets import State
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


# Each child imports everything, then waits for the start signal, so that both rotations
# begin within a millisecond of each other instead of one process start-up apart.
CHILD = r"""
import os, sys, time
from jwtdesk.cli import main
import jwtdesk.services.keys, jwtdesk.store.vault, keyring
while not os.path.exists(sys.argv[1]):
    time.sleep(0.0005)
sys.exit(main(["keys", "rotate", "api", "--json"]))
"""


def test_parallel_rotations_lose_no_version(real_service: KeyService, tmp_path: Path) -> None:
    real_service.create("api", "ES256")
    rounds, per_round = 3, 2
    for n in range(rounds):
        go = tmp_path / f"go-{n}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=os.environ.copy(),
            )
            for _ in range(per_round)
        ]
        time.sleep(1.0)  # let both children finish importing
        go.touch()
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
    ks = real_service.get("api")
    assert len(ks.versions) == 1 + rounds * per_round  # every rotation landed
    assert len({v.kid for v in ks.versions}) == len(ks.versions)
    assert [v.state for v in ks.versions] == [State.RETIRED] * (len(ks.versions) - 2) + [
        State.PREVIOUS,
        State.CURRENT,
    ]
    for v in ks.versions:
        assert real_service.vault.exists(v.id) is (v.state is not State.RETIRED)
    assert real_service.index.load().pending == ()
