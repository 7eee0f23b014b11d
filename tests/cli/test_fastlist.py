"""`keys list [--json]`'s fast path prints what the normal path prints, byte for byte.

`jwtdesk.cli.main` answers `keys list` and `keys list --json` with `jwtdesk.cli.fastlist`
before building the argparse parser; on anything unusual in the index it falls back to
`jwtdesk.cli.keys.cmd_list`, whose code prints the error.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtdesk.cli import fastlist, main
from jwtdesk.core.algorithms import ALGORITHMS
from jwtdesk.core.keysets import KeySet, KeyVersion, Purpose, State
from jwtdesk.core.profiles import Binding, Profile, Source
from jwtdesk.services import KeyService
from jwtdesk.store import index as index_mod
from jwtdesk.store.index import Index, IndexState, Pending
from tests.keyrings import MemoryKeyring

NOW = datetime(2026, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
LIST = ("keys", "list")
LIST_JSON = ("keys", "list", "--json")

Result = tuple[int, str, str]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both paths read the clock once; give them the same time."""
    monkeypatch.setattr(fastlist, "_now", lambda: NOW)
    monkeypatch.setattr("jwtdesk.cli.keys.utcnow", lambda: NOW)


def fast(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> Result:
    """main(argv), which must be answered by the fast path (no parser is built)."""

    def no_parser(*_: object) -> object:
        raise AssertionError("the fast path fell back to the normal path")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("jwtdesk.cli.build_parser", no_parser)
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def through_main(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> Result:
    """main(argv) as users run it: the fast path, or the normal path if it falls back."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def slow(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> Result:
    """main(argv) with the fast path switched off: jwtdesk.cli.keys.cmd_list answers."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastlist, "run", lambda as_json: None)
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_same(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """Both commands, fast and slow, print the same bytes; returns the text and JSON output."""
    outputs = []
    for argv in (LIST, LIST_JSON):
        expected = slow(capsys, argv)
        assert expected[0] == 0, expected[2]
        got = fast(capsys, argv)
        if got[1] != expected[1]:
            diff = difflib.unified_diff(
                expected[1].splitlines(), got[1].splitlines(), "normal path", "fast path"
            )
            pytest.fail("\n".join(diff))
        assert got == expected
        outputs.append(expected[1])
    json.loads(outputs[1])
    return outputs[0], outputs[1]


def write(home: Path, state: IndexState) -> None:
    index = Index(home)
    with index.locked():
        index.write(state)


def version(
    n: int,
    state: State,
    created: datetime,
    *,
    activated: datetime | None = None,
    retired: datetime | None = None,
    size: int | None = None,
    jwk: dict[str, str] | None = None,
    public_only: bool = False,
) -> KeyVersion:
    return KeyVersion(
        f"kv-{n:06d}",
        f"kid-{n:04d}-" + "x" * 30,
        state,
        created,
        activated,
        retired,
        size,
        jwk,
        public_only,
    )


def keyset(name: str, alg: str, versions: tuple[KeyVersion, ...], **kw: object) -> KeySet:
    fields: dict[str, object] = {
        "service": "",
        "environment": "",
        "purpose": Purpose.CUSTOM,
        "rotation_period": timedelta(days=90),
        "notes": "",
        "created": NOW - timedelta(days=400),
    }
    fields.update(kw)
    return KeySet(name=name, alg=alg, versions=versions, **fields)  # type: ignore[arg-type]


def rotated(n: int, size: int | None, jwk: dict[str, str] | None) -> tuple[KeyVersion, ...]:
    """current, previous and two retired versions, as after three rotations."""
    t = [NOW - timedelta(days=d, hours=n % 24, minutes=n % 60) for d in (300, 200, 100, 10)]
    return (
        version(n, State.RETIRED, t[0], activated=t[0], retired=t[2], size=size, jwk=jwk),
        version(n + 1, State.RETIRED, t[1], activated=t[1], retired=t[3], size=size, jwk=jwk),
        version(n + 2, State.PREVIOUS, t[2], activated=t[2], size=size, jwk=jwk),
        version(n + 3, State.CURRENT, t[3], activated=t[3], size=size, jwk=jwk),
    )


EC_JWK = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x"}
RSA_JWK = {"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4", "e": "AQAB"}
OKP_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}


def many_keysets() -> IndexState:
    sizes: dict[str, tuple[int | None, dict[str, str] | None]] = {
        "HS256": (32, None),
        "HS384": (48, None),
        "HS512": (64, None),
        "RS256": (2048, RSA_JWK),
        "RS384": (3072, RSA_JWK),
        "RS512": (4096, RSA_JWK),
        "PS256": (2048, RSA_JWK),
        "PS384": (3072, RSA_JWK),
        "PS512": (4096, RSA_JWK),
        "ES256": (None, EC_JWK),
        "ES384": (None, EC_JWK),
        "ES512": (None, EC_JWK),
        "EdDSA": (None, OKP_JWK),
    }
    out = []
    for n, (alg, (size, jwk)) in enumerate(sizes.items()):
        out.append(
            keyset(
                f"svc-{n:02d}.{alg.lower()}",
                alg,
                rotated(10 * n, size, jwk),
                service=("shop", "", "billing service")[n % 3],
                environment=("prod", "staging", "")[n % 3],
                purpose=list(Purpose)[n % 4],
                rotation_period=timedelta(days=(7, 30, 90, 365)[n % 4]),
                notes=("", "rotated by hand — see runbook ✓", "two\nlines")[n % 3],
            )
        )
    return IndexState(tuple(out))


def test_mirrored_tables_agree_with_the_sources() -> None:
    assert fastlist.SCHEMA == index_mod.SCHEMA
    assert fastlist.INDEX_NAME == index_mod.INDEX_NAME
    assert {s.value for s in State} == fastlist.STATES
    assert {p.value for p in Purpose} == fastlist.PURPOSES
    assert {s.value for s in Source} == fastlist.SOURCES
    assert {a.name: (a.kty.value, a.curve) for a in ALGORITHMS.values()} == fastlist.ALGORITHMS
    for alg in ALGORITHMS.values():
        for size in (None, 0, 32, 2048):
            assert fastlist._size_label(alg.name, size) == alg.size_label(size)


def test_no_index_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not home.exists()
    text, doc = assert_same(capsys)
    assert text == "No keysets yet. Create one: jwtdesk keys new NAME --alg HS256\n"
    assert json.loads(doc) == {"keysets": []}


def test_empty_index(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(home, IndexState())
    text, _ = assert_same(capsys)
    assert text.startswith("No keysets yet")


def test_one_keyset_made_by_the_service(
    memory_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_service.create("api", "HS256", service="shop", environment="prod")
    text, doc = assert_same(capsys)
    assert "api  " in text and "512 bits" in text
    assert json.loads(doc)["keysets"][0]["versions"][0]["state"] == "current"


def test_rotated_and_retired_keysets_made_by_the_service(
    memory_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, alg in (("a", "HS384"), ("b", "ES384"), ("c", "EdDSA"), ("d", "HS512")):
        memory_service.create(name, alg, purpose=Purpose.REFRESH, notes="n")
    for _ in range(3):
        memory_service.rotate("b")
    memory_service.rotate("c")
    memory_service.retire("c")
    text, _ = assert_same(capsys)
    assert "P-384" in text and "Ed25519" in text


def test_many_keysets_every_alg_and_state(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(home, many_keysets())
    text, doc = assert_same(capsys)
    lines = text.splitlines()
    assert len(lines) == 1 + len(ALGORITHMS)
    assert "ROTATION DUE" in text and " ok" in text
    assert {"RSA 4096", "P-521", "Ed25519", "384 bits"} <= set(text.replace("  ", "|").split("|"))
    assert all(len(k["versions"]) == 4 for k in json.loads(doc)["keysets"])


def test_no_current_key_unactivated_current_public_only(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = NOW - timedelta(days=3)
    state = IndexState(
        (
            keyset("all-retired", "HS256", (version(1, State.RETIRED, t, activated=t, retired=t),)),
            keyset("no-versions", "ES256", ()),
            keyset("unactivated", "RS256", (version(2, State.CURRENT, t, size=2048),)),
            keyset(
                "imported",
                "ES256",
                (version(3, State.CURRENT, t, activated=t, jwk=EC_JWK, public_only=True),),
                service="partner",
            ),
            keyset(
                "two-currents",
                "HS256",
                (
                    version(4, State.CURRENT, t, activated=t, size=32),
                    version(5, State.CURRENT, NOW, activated=NOW, size=64),
                ),
            ),
            keyset(
                "fresh",
                "HS256",
                (version(6, State.CURRENT, NOW, activated=NOW - timedelta(seconds=5), size=64),),
                rotation_period=timedelta(hours=1, seconds=7),
            ),
            keyset(
                "from-the-future",
                "HS256",
                (version(7, State.CURRENT, NOW, activated=NOW + timedelta(hours=2), size=64),),
                rotation_period=timedelta(minutes=90),
            ),
            keyset(
                "seconds-ahead",
                "HS384",
                (version(9, State.CURRENT, NOW, activated=NOW + timedelta(seconds=30), size=48),),
            ),
            keyset(
                "due-now",
                "HS256",
                (version(8, State.CURRENT, t, activated=NOW - timedelta(days=90), size=64),),
            ),
        )
    )
    write(home, state)
    text, doc = assert_same(capsys)
    assert "RSA 2048" in text and "-2h" in text and "-30s" in text and " 5s " in text
    assert [k["rotation_due"] for k in json.loads(doc)["keysets"]][-1] is True


def test_profiles_and_pending_entries(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = Profile(
        "prod",
        (
            Binding("JWT_SECRET_CURRENT", Source.CURRENT, "svc-00.hs256"),
            Binding("ISS", Source.VALUE, value="x"),
        ),
        "dotenv",
        "notes",
    )
    state = many_keysets()._replace(
        profiles=(profile,), pending=(Pending("kv-x", "create", "svc-00.hs256", NOW),)
    )
    write(home, state)
    assert_same(capsys)


def test_a_large_index(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = many_keysets().keysets
    state = IndexState(
        tuple(ks._replace(name=f"k{n:04d}-{ks.name}") for n in range(20) for ks in base)
    )
    write(home, state)
    text, _ = assert_same(capsys)
    assert len(text.splitlines()) == 1 + 20 * len(base)


# --- indexes written by hand: the fast path handles some, falls back on the rest ----------


def raw_index(**keyset_changes: object) -> dict[str, object]:
    """A one-keyset index document in the shape jwtdesk writes."""
    when = "2026-05-01T10:00:00.500000+00:00"
    ks: dict[str, object] = {
        "name": "api",
        "service": "shop",
        "environment": "prod",
        "purpose": "access",
        "alg": "ES256",
        "rotation_period_s": 7776000,
        "notes": "",
        "created": when,
        "versions": [
            {
                "id": "kv-1",
                "kid": "kid-one-abcdefghijkl",
                "state": "previous",
                "created": when,
                "activated": when,
                "retired": None,
                "size": None,
                "public_jwk": EC_JWK,
            },
            {
                "id": "kv-2",
                "kid": "kid-two-abcdefghijkl",
                "state": "current",
                "created": when,
                "activated": when,
                "retired": None,
                "size": None,
                "public_jwk": EC_JWK,
            },
        ],
    }
    ks.update(keyset_changes)
    return {"schema": 1, "keysets": [ks], "pending": [], "profiles": []}


def with_version(**changes: object) -> dict[str, object]:
    doc = raw_index()
    current = doc["keysets"][0]["versions"][1]  # type: ignore[index]
    current.update(changes)
    return doc


def write_raw(home: Path, content: str | bytes | dict[str, object]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(content)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (home / "index.json").write_bytes(data)


HANDLED = {
    "as written": raw_index(),
    "offset +02:00": with_version(activated="2026-05-01T12:00:00+02:00"),
    "offset -05:30 and Z": with_version(
        created="2026-05-01T10:00:00Z", activated="2026-04-30T23:59:59-05:30"
    ),
    "no microseconds": with_version(activated="2026-05-01T10:00:00+00:00"),
    "space separator": with_version(activated="2026-05-01 10:00:00.250+00:00"),
    "defaults omitted": {
        "schema": 1,
        "keysets": [
            {
                "name": "bare",
                "alg": "HS256",
                "rotation_period_s": 3601,
                "created": "2026-01-01T00:00:00+00:00",
                "versions": [
                    {
                        "id": "kv-9",
                        "kid": "k9",
                        "state": "current",
                        "created": "2026-01-01T00:00:00+00:00",
                    }
                ],
            }
        ],
    },
    "unknown fields": {
        **raw_index(),
        "extra": [1, 2],
        "pending": [
            {
                "id": "a",
                "op": "create",
                "keyset": "api",
                "since": "2026-01-01T00:00:00+00:00",
                "more": 1,
            }
        ],
    },
    "whitespace around": "\n  " + json.dumps(raw_index(), indent=1) + "\r\n\t",
    "duplicate keys": json.dumps(raw_index())[:-1] + ', "keysets": []}',
    "non-ascii": raw_index(notes="clé «prod» ✓", service="Zürich"),
    "odd period": raw_index(rotation_period_s=90061),
    "profile binding values": {
        **raw_index(),
        "profiles": [
            {"name": 5, "bindings": [{"var": "X", "source": "value", "value": 3, "keyset": None}]}
        ],
    },
}

FALLS_BACK = {
    "period as a string": raw_index(rotation_period_s="7776000"),
    "size as a float": with_version(size=2048.0),
    "size as a bool": with_version(size=True),
    "name as a number": raw_index(name=12),
    "service as null": raw_index(service=None),
    "NaN size": json.dumps(with_version(size=1)).replace('"size": 1', '"size": NaN'),
    "unknown alg": raw_index(alg="HS1024"),
    "alg none": raw_index(alg="none"),
    "newer schema": {**raw_index(), "schema": 2},
    "schema as a string": {**raw_index(), "schema": "1"},
    "no schema": {"keysets": []},
    "not an object": "[1, 2]",
    "not JSON": "{not json",
    "trailing garbage": json.dumps(raw_index()) + " x",
    "empty file": "",
    "byte order mark": "\ufeff" + json.dumps(raw_index()),
    "not UTF-8": b'{"schema": 1, "keysets": [], "x": "\xff"}',
    "naive time": with_version(activated="2026-05-01T10:00:00"),
    "time not a string": with_version(created=12),
    "missing created": raw_index(created=None),
    "bad state": with_version(state="active"),
    "bad purpose": raw_index(purpose="signing"),
    "versions as an object": raw_index(versions={}),
    "version not an object": raw_index(versions=["kv-1"]),
    "missing kid": raw_index(
        versions=[{"id": "kv-1", "state": "current", "created": "2026-01-01T00:00:00+00:00"}]
    ),
    "jwk with a number": with_version(public_jwk={"kty": "EC", "x": 1}),
    "jwk as a list": with_version(public_jwk=["EC"]),
    "huge period": raw_index(rotation_period_s=10**15),
    "rotate-by past year 9999": with_version(activated="9999-12-01T00:00:00+00:00"),
    "keysets as an object": {"schema": 1, "keysets": {"api": {}}},
    "bad pending": {**raw_index(), "pending": [{"id": "a", "op": "create", "keyset": "api"}]},
    "pending naive time": {
        **raw_index(),
        "pending": [{"id": "a", "op": "create", "keyset": "api", "since": "2026-01-01T00:00:00"}],
    },
    "bad profile source": {
        **raw_index(),
        "profiles": [{"name": "p", "bindings": [{"var": "X", "source": "secret"}]}],
    },
    "profile without bindings": {**raw_index(), "profiles": [{"name": "p"}]},
}


@pytest.mark.parametrize("content", HANDLED.values(), ids=HANDLED.keys())
def test_hand_written_index_handled(
    home: Path, capsys: pytest.CaptureFixture[str], content: str | dict[str, object]
) -> None:
    write_raw(home, content)
    assert_same(capsys)


@pytest.mark.parametrize("content", FALLS_BACK.values(), ids=FALLS_BACK.keys())
def test_anything_unusual_falls_back_to_the_normal_path(
    home: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | dict[str, object]
) -> None:
    write_raw(home, content)
    for as_json in (False, True):
        assert fastlist.run(as_json) is None
        assert capsys.readouterr() == ("", "")  # it printed nothing before falling back
    for argv in (LIST, LIST_JSON):
        assert through_main(capsys, argv) == slow(capsys, argv)


def test_corrupt_index_gives_the_one_line_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_raw(home, "{not json")
    for argv in (LIST, LIST_JSON):
        code, out, err = through_main(capsys, argv)
        assert (code, out) == (1, "")
        assert err == (
            f"jwtdesk: error: the index {home / 'index.json'} is not valid JSON "
            f"(JSONDecodeError); move {home / 'index.json'} aside and restore a backup; "
            "jwtdesk will not overwrite it\n"
        )


def test_newer_schema_gives_the_upgrade_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_raw(home, {"schema": 7, "keysets": []})
    code, out, err = through_main(capsys, LIST)
    assert (code, out) == (1, "")
    assert err.startswith("jwtdesk: error: the index ") and "(schema 7); upgrade" in err


def test_unreadable_index_falls_back(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "index.json").mkdir(parents=True)  # reading a directory fails with an OSError
    assert fastlist.run(as_json=False) is None
    code, out, err = through_main(capsys, LIST)
    assert (code, out) == (1, "")
    assert err.startswith("jwtdesk: error: cannot read the index ")
    assert through_main(capsys, LIST_JSON) == slow(capsys, LIST_JSON)


def test_only_exact_command_lines_take_the_fast_path(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(home, many_keysets())
    calls: list[bool] = []
    real_run = fastlist.run

    def spy(as_json: bool) -> int | None:
        calls.append(as_json)
        return real_run(as_json)

    monkeypatch.setattr(fastlist, "run", spy)
    assert through_main(capsys, LIST)[0] == 0
    assert through_main(capsys, LIST_JSON)[0] == 0
    assert calls == [False, True]
    code, _, err = through_main(capsys, ("keys", "list", "--jsn"))
    assert code == 2 and "unrecognized arguments: --jsn" in err
    assert calls == [False, True]


def test_keys_list_help_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["keys", "list", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: jwtdesk keys list [-h] [--json]")
    assert "print one JSON document" in out


def test_no_keyring_read_in_process(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    ring = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: ring)
    write(home, many_keysets())
    for argv in (LIST, LIST_JSON):
        assert fast(capsys, argv)[0] == 0
    assert sum(ring.calls.values()) == 0


@pytest.mark.parametrize("argv", [LIST, LIST_JSON], ids=["text", "json"])
def test_the_fast_path_imports_no_keyring_store_or_services(
    home: Path, argv: tuple[str, ...]
) -> None:
    write(home, many_keysets())
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from jwtdesk.cli import main\n"
        "assert main(sys.argv[1:]) == 0\n"
        "added = set(sys.modules) - before\n"
        "print(sorted(m for m in added if m.split('.')[0] in ('keyring', 'json', 'typing')\n"
        "             or m.startswith(('jwtdesk.services', 'jwtdesk.core.keysets',\n"
        "                              'jwtdesk.store.index', 'jwtdesk.store.vault',\n"
        "                              'jwtdesk.cli.keys', 'jwtdesk.cli.output'))),\n"
        "      file=sys.stderr)\n"
    )
    env = {**os.environ, "JWTDESK_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", script, *argv], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("svc-00.hs256") == 1
    loaded = proc.stderr.strip()
    # json only for json.dumps of the --json document; the index is read by json's C scanner
    assert loaded == "[]" or ("--json" in argv and loaded.startswith("['json'")), loaded


# --- random indexes -----------------------------------------------------------------------

TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2040, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))]),
)
LABELS = st.sampled_from(["", "shop", "billing svc", "Zürich ✓", "prod"])


@st.composite
def versions(draw: st.DrawFn, n: int) -> KeyVersion:
    return version(
        n,
        draw(st.sampled_from(list(State))),
        draw(TIMES),
        activated=draw(st.none() | TIMES),
        retired=draw(st.none() | TIMES),
        size=draw(st.none() | st.integers(0, 5000)),
        jwk=draw(st.none() | st.just(EC_JWK)),
        public_only=draw(st.booleans()),
    )


@st.composite
def states(draw: st.DrawFn) -> IndexState:
    out = []
    for n in range(draw(st.integers(0, 6))):
        count = draw(st.integers(0, 5))
        out.append(
            keyset(
                f"ks-{n}",
                draw(st.sampled_from(list(ALGORITHMS))),
                tuple(draw(versions(10 * n + m)) for m in range(count)),
                service=draw(LABELS),
                environment=draw(LABELS),
                purpose=draw(st.sampled_from(list(Purpose))),
                rotation_period=timedelta(seconds=draw(st.integers(0, 10**9))),
                notes=draw(LABELS),
                created=draw(TIMES),
            )
        )
    return IndexState(tuple(out))


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=states())
def test_random_indexes(home: Path, capsys: pytest.CaptureFixture[str], state: IndexState) -> None:
    write(home, state)
    assert_same(capsys)
