"""KeysModel and its proxy: qtmodeltester, grouping, rotation due, and no secret in any role."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSettings, Qt
from pytestqt.qtbot import QtBot

from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.models.keys import Column, KeysFilterProxy, KeysModel, Role
from jwtdesk.gui.widgets.badge import state_color
from jwtdesk.services import KeyService
from jwtdesk.store.index import Index
from tests.gui.keys_helpers import click_row, seed

ROLES = range(0, Qt.ItemDataRole.UserRole + 64)


def all_indexes(
    model: QAbstractItemModel, parent: QModelIndex | None = None
) -> Iterator[QModelIndex]:
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        for col in range(model.columnCount(parent)):
            index = model.index(row, col, parent)
            yield index
            if col == 0:
                yield from all_indexes(model, index)


@pytest.fixture
def keysets(memory_service: KeyService, home: Path) -> KeyService:
    # Made 120 days ago (clock injection): its 90-day rotation is due.
    past = datetime.now(UTC) - timedelta(days=120)
    old = KeyService(Index(home), memory_service._vault_factory, clock=lambda: past)
    old.create("stale", "HS256", service="billing", environment="prod", purpose=Purpose.ACCESS)
    memory_service.create("fresh", "ES256", service="billing", environment="prod")
    memory_service.create("loose", "EdDSA")
    memory_service.create("rsa", "RS256", size=2048, service="auth", environment="staging")
    memory_service.rotate("rsa")
    memory_service.rotate("rsa")
    return memory_service


def test_qtmodeltester_on_the_model_and_the_proxy(
    qtmodeltester: object, keysets: KeyService
) -> None:
    model = KeysModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_keysets(keysets.keysets())
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    proxy = KeysFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    proxy.setFilterFixedString("billing")
    qtmodeltester.check(proxy, force_py=True)  # type: ignore[attr-defined]


def update_steps(model: KeysModel, keysets: KeyService, qtbot: QtBot) -> list[bool]:
    """Rotate, retire, create, rename, delete, then delete a retired record: only the last
    needs a reset (later version rows get new numbers). Returns the resets seen."""
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted):
        keysets.rotate("fresh")  # a version is added
        assert model.set_keysets(keysets.keysets()) is False
    keysets.retire("fresh")  # data changes only
    model.set_keysets(keysets.keysets())
    keysets.create("brand-new", "HS256", service="billing", environment="prod")
    keysets.create("elsewhere", "HS256", service="zeta")  # and a new group
    with qtbot.waitSignal(model.rowsInserted):
        model.set_keysets(keysets.keysets())
    keysets.rename("brand-new", "a-renamed")
    keysets.delete("loose")  # the last keyset of its group: the group goes too
    with qtbot.waitSignal(model.rowsRemoved):
        model.set_keysets(keysets.keysets())
    assert resets == []
    retired = keysets.get("rsa").versions[0]
    keysets.delete("rsa", retired.kid)
    assert model.set_keysets(keysets.keysets()) is True
    return resets


@pytest.mark.parametrize("tested", ["model", "proxy"])
def test_in_place_updates_pass_the_model_tester(
    qtmodeltester: object, keysets: KeyService, qtbot: QtBot, tested: str
) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    proxy = KeysFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model if tested == "model" else proxy, force_py=True)  # type: ignore[attr-defined]
    assert update_steps(model, keysets, qtbot) == [True]
    groups = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert groups == ["auth · staging", "billing · prod", "zeta"]
    billing = model.index(1, 0)
    names = [model.index(r, 0, billing).data() for r in range(model.rowCount(billing))]
    assert names == ["a-renamed", "fresh", "stale"]
    rebuilt = KeysModel()
    rebuilt.set_keysets(keysets.keysets())
    assert dump(rebuilt) == dump(model)  # in place or from scratch: the same tree


def dump(model: KeysModel) -> list[tuple[object, ...]]:
    return [
        tuple(index.siblingAtColumn(c).data() for c in range(model.columnCount()))
        for index in all_indexes(model)
        if index.column() == 0
    ]


def test_in_place_updates_keep_the_rows(keysets: KeyService, qtbot: QtBot) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    fresh = QPersistentModelIndex(model.find("fresh"))
    keysets.rotate("fresh")
    keysets.retire("fresh")
    model.set_keysets(keysets.keysets())
    assert fresh.isValid() and fresh.data() == "fresh"  # the same row, updated
    states = [model.index(r, Column.STATE, QModelIndex(fresh)).data() for r in range(2)]
    assert states == ["retired", "current"]
    retired = keysets.get("rsa").versions[0]
    keysets.delete("rsa", retired.kid)
    model.set_keysets(keysets.keysets())
    rsa = model.find("rsa")
    names = [model.index(r, 0, rsa).data() for r in range(model.rowCount(rsa))]
    assert names == ["version 1", "version 2"]


def test_tree_groups_by_service_and_environment(keysets: KeyService) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    groups = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert groups == ["auth · staging", "billing · prod", "(no service)"]
    billing = model.index(1, 0)
    assert [model.index(r, 0, billing).data() for r in range(2)] == ["fresh", "stale"]
    rsa = model.index(0, 0, model.index(0, 0))
    states = [model.index(r, Column.STATE, rsa).data() for r in range(model.rowCount(rsa))]
    assert states == ["retired", "previous", "current"]
    assert model.index(0, Column.SIZE, model.index(0, 0)).data() == "RSA 2048"


def test_rotation_due_is_flagged(keysets: KeyService) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    stale = model.find("stale")
    state = stale.siblingAtColumn(Column.STATE)
    assert state.data() == "rotation due"
    assert state.data(Role.STATE) == "due"
    assert state.data(Qt.ItemDataRole.ForegroundRole) == state_color("due")
    assert stale.siblingAtColumn(Column.ROTATE_BY).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, Column.STATE).data() == "1 due"  # the billing group says so too
    fresh = model.find("fresh").siblingAtColumn(Column.STATE)
    assert fresh.data() == "ok" and fresh.data(Qt.ItemDataRole.ForegroundRole) is None


def test_filter_matches_kid_and_shows_the_versions(keysets: KeyService) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    proxy = KeysFilterProxy()
    proxy.setSourceModel(model)
    kid = keysets.get("rsa").versions[0].kid
    proxy.setFilterFixedString(kid[:15])
    assert proxy.rowCount() == 1
    keyset = proxy.index(0, 0, proxy.index(0, 0))
    assert keyset.data() == "rsa"
    assert proxy.rowCount(keyset) == 3  # every version of the matching keyset


@pytest.mark.secret_service
def test_no_secret_in_any_model_role_or_in_settings(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    seed(ctx, "hmac", "HS256", service="svc")
    seed(ctx, "ec", "ES256", service="svc")
    ctx.keys.rotate("hmac")
    ctx.keysets_changed.emit()
    secrets = [
        ctx.keys.secret(n, v.kid)[1].reveal()
        for n in ("hmac", "ec")
        for v in ctx.keys.get(n).versions
        if v.verifies
    ]
    texts = [s.decode("latin-1") for s in secrets]
    # Use every secret the way a user would: reveal and copy each.
    for name in ("hmac", "ec"):
        click_row(qtbot, window.keys_view, name)
        field = window.keys_view.details.secret
        qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda f=field: f.revealed, timeout=10_000)  # type: ignore[misc]
        qtbot.mouseClick(field.copy_button, Qt.MouseButton.LeftButton)
    view = window.keys_view
    for model in (view.model, view.proxy):
        for index in all_indexes(model):
            for role in ROLES:
                value = repr(index.data(role))
                assert not any(t in value for t in texts), (index, role)
    window.close()
    data = Path(settings.fileName()).read_bytes()
    for path in Path(settings.fileName()).parent.rglob("*"):
        if path.is_file():
            data += path.read_bytes()
    assert data
    for secret in secrets:
        assert secret not in data
        assert base64.b64encode(secret) not in data
