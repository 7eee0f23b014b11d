"""Every index-writing service method reports one Change naming what it touched (keysets,
profiles, connections by name), with origin "app" and the index after it; the CLI, which
listens to nothing, pays no extra index read."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import Conflict
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService
from jwtdesk.services.changes import Change, Kind, Origin, diff
from jwtdesk.services.export import ExportService
from jwtdesk.services.importing import ImportOptions, import_file
from jwtdesk.services.revocation import RevocationService
from jwtdesk.store.index import IndexState

CONN = Connection(name="shop-redis", url="redis://127.0.0.1:6379", service="shop")


@pytest.fixture
def seen(memory_service: KeyService) -> list[Change]:
    out: list[Change] = []
    memory_service.subscribe(out.append)
    return out


def only(seen: list[Change]) -> Change:
    assert len(seen) == 1, seen
    change = seen.pop()
    assert change.origin is Origin.APP
    return change


def test_keyset_methods_report_their_keyset(memory_service: KeyService, seen: list[Change]) -> None:
    keys = memory_service
    keys.create("api", "HS256")
    change = only(seen)
    assert change == Change(keysets=frozenset({"api"}))
    assert change.state is not None and change.state.get("api").current is not None
    keys.rotate("api")
    assert only(seen).keysets == {"api"}
    keys.retire("api")
    assert only(seen).kinds == {Kind.KEYSETS}
    keys.rename("api", "api2")
    assert only(seen).keysets == {"api", "api2"}
    keys.delete("api2")
    change = only(seen)
    assert change.keysets == {"api2"} and change.state == IndexState()


def test_a_rename_names_the_profiles_that_follow_it(
    memory_service: KeyService, seen: list[Change]
) -> None:
    memory_service.create("api", "HS256")
    ExportService(memory_service).create_profile("prod", access="api")
    seen.clear()
    memory_service.rename("api", "api-v2")
    change = only(seen)
    assert change.keysets == {"api", "api-v2"} and change.profiles == {"prod"}
    assert change.touches(Kind.PROFILES) and not change.touches(Kind.CONNECTIONS)


def test_profile_methods_report_their_profile(
    memory_service: KeyService, seen: list[Change]
) -> None:
    memory_service.create("api", "HS256")
    seen.clear()
    export = ExportService(memory_service)
    export.create_profile("prod", access="api")
    assert only(seen) == Change(profiles=frozenset({"prod"}))
    export.set_var("prod", "EXTRA_JWKS", "api:jwks")
    assert only(seen) == Change(profiles=frozenset({"prod"}))
    export.unset_var("prod", "EXTRA_JWKS")
    assert only(seen).profiles == {"prod"}
    export.set_format("prod", "json")
    assert only(seen).profiles == {"prod"}
    export.delete_profile("prod")
    assert only(seen) == Change(profiles=frozenset({"prod"}))


def test_connection_methods_report_their_connection(
    memory_service: KeyService, seen: list[Change]
) -> None:
    rev = RevocationService(memory_service)
    rev.create_connection(CONN, Secret(b"pw"))
    assert only(seen) == Change(connections=frozenset({"shop-redis"}))
    rev.delete_connection("shop-redis")
    assert only(seen) == Change(connections=frozenset({"shop-redis"}))


def test_an_import_reports_its_keysets_once(
    memory_service: KeyService, seen: list[Change], tmp_path: Path
) -> None:
    path = tmp_path / "app.env"
    path.write_text("JWT_SECRET=Zq3vH8kP2mX9tR4wY7nB1cF6jL0sD5gA8eU3iO2pK7yT\n")
    opts = ImportOptions(name="legacy", alg="HS256", variables=("JWT_SECRET",))
    (done,) = import_file(memory_service, str(path), opts)
    assert only(seen) == Change(keysets=frozenset({done.keyset.name}))


def test_a_refused_change_reports_nothing(memory_service: KeyService, seen: list[Change]) -> None:
    memory_service.create("api", "HS256")
    seen.clear()
    with pytest.raises(Conflict):
        memory_service.create("api", "HS256")
    rev = RevocationService(memory_service)
    rev.create_connection(CONN, None)
    with pytest.raises(Conflict):
        rev.create_connection(CONN, None)
    assert [c.connections for c in seen] == [{"shop-redis"}]  # the first create only


def test_reads_report_nothing(memory_service: KeyService, seen: list[Change]) -> None:
    memory_service.create("api", "HS256")
    seen.clear()
    memory_service.keysets()
    memory_service.secret("api")
    memory_service.signing_key("api")
    ExportService(memory_service).preview(
        ExportService(memory_service).create_profile("p", access="api")
    )
    assert [c.profiles for c in seen] == [{"p"}]


def test_unsubscribed_listeners_hear_nothing(memory_service: KeyService) -> None:
    heard: list[Change] = []
    stop = memory_service.subscribe(heard.append)
    stop()
    memory_service.create("api", "HS256")
    assert heard == []


def test_diff_ignores_pending_marks_and_equal_entries() -> None:
    assert not diff(IndexState(), IndexState())
    assert diff(IndexState(), IndexState(), Origin.OUTSIDE).origin is Origin.OUTSIDE


def test_a_read_during_a_change_is_not_settled(memory_service: KeyService) -> None:
    """The GUI's index watcher reads with settled_state: a read made while a change of this
    process is under way (its report not yet out) is None, so the watcher never announces the
    app's own change as another process's."""
    during: list[IndexState | None] = []
    memory_service.subscribe(lambda _change: during.append(memory_service.settled_state()))
    memory_service.create("api", "HS256")
    assert during == [None]  # the report goes out while the change still counts as under way
    after = memory_service.settled_state()
    assert after is not None and after.get("api").current is not None


def test_a_failing_listener_never_fails_the_change(
    memory_service: KeyService, seen: list[Change], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_change: Change) -> None:
        raise RuntimeError("a listener's own bug")

    memory_service.subscribe(broken)
    ks = memory_service.create("api", "HS256")  # no exception: the keyset was written
    assert ks.current is not None and memory_service.get("api").current is not None
    assert only(seen).keysets == {"api"}  # the listener after the broken one still heard it
    assert "a change listener failed" in caplog.text
    assert memory_service.settled_state() is not None  # and the change is over
