"""KeysModel and its proxy: qtmodeltester, grouping, rotation due, what the items hold, no
call into Python when painting, and no secret in any role."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSettings, Qt
from PySide6.QtGui import QFontDatabase, QStandardItem
from PySide6.QtWidgets import QTreeView
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.models import key_cells as cells
from jwtdesk.gui.models.keys import HEADERS, Column, KeysFilterProxy, KeysModel, Role
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


def later() -> Callable[[], datetime]:
    """A clock an hour ahead, after every key a test makes: two models built at different
    times say the same."""
    fixed = datetime.now(UTC) + timedelta(hours=1)
    return lambda: fixed


@pytest.mark.parametrize("tested", ["model", "proxy"])
def test_in_place_updates_pass_the_model_tester(
    qtmodeltester: object, keysets: KeyService, qtbot: QtBot, tested: str
) -> None:
    clock = later()
    model = KeysModel(clock=clock)
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
    rebuilt = KeysModel(clock=clock)
    rebuilt.set_keysets(keysets.keysets())
    assert dump(rebuilt) == dump(model)  # in place or from scratch: the same tree


def dump(model: KeysModel) -> list[dict[int, object]]:
    """Every role of every cell (but the rows' private ids) and its flags."""
    out = []
    for index in all_indexes(model):
        data = {int(role): value for role, value in model.itemData(index).items()}
        data.pop(int(Qt.ItemDataRole.UserRole), None)  # on column 0
        data[-1] = model.flags(index)
        out.append(data)
    return out


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


def expected(model: KeysModel, index: QModelIndex, now: datetime) -> dict[str, object]:
    """What key_cells says of the cell at ``index``."""
    node = model.node(index)
    assert node is not None
    col = index.column()
    due = cells.is_due(node, now) and col in (Column.ROTATE_BY, Column.STATE)
    return {
        "display": cells.display(node, col, now),
        "tooltip": cells.tooltip(node, col, now),
        "sort": cells.sort_key(node, col, now),
        "state": cells.badge_state(node, now) if col == Column.STATE else None,
        "foreground": state_color("due") if due else None,
        "filter": cells.filter_text(node) if col == Column.NAME else None,
    }


def stored(index: QModelIndex) -> dict[str, object]:
    return {
        "display": index.data(),
        "tooltip": index.data(Qt.ItemDataRole.ToolTipRole),
        "sort": index.data(Role.SORT),
        "state": index.data(Role.STATE),
        "foreground": index.data(Qt.ItemDataRole.ForegroundRole),
        "filter": index.data(Role.FILTER),
    }


def test_the_items_hold_what_key_cells_says(keysets: KeyService) -> None:
    now = datetime.now(UTC) + timedelta(hours=1)
    model = KeysModel(clock=lambda: now)
    model.set_keysets(keysets.keysets())
    rsa = model.find("rsa")
    for index in all_indexes(model):
        assert stored(index) == expected(model, index, now), index
        text = index.data()
        assert index.data(Qt.ItemDataRole.AccessibleTextRole) is None  # Qt reads DisplayRole
        assert text is not None
        assert model.flags(index) == Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        assert model.node(index) is model.node(index.siblingAtColumn(0))
    row = [rsa.siblingAtColumn(c) for c in range(len(HEADERS))]
    assert [i.data(Role.KIND) for i in row] == ["keyset"] * len(HEADERS)
    assert {i.data(Role.KEYSET) for i in row} == {"rsa"}
    assert {i.data(Role.KID) for i in row} == {keysets.get("rsa").current.kid}  # type: ignore[union-attr]
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert row[Column.KID].data(Qt.ItemDataRole.FontRole) == mono
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()  # a group's name
    assert model.node(QModelIndex()) is None
    assert model.headerData(Column.KID, Qt.Orientation.Horizontal) == "Kid"


def test_a_rotation_updates_the_cells_in_place(keysets: KeyService, qtbot: QtBot) -> None:
    now = datetime.now(UTC) + timedelta(hours=1)
    model = KeysModel(clock=lambda: now)
    model.set_keysets(keysets.keysets())
    rows = model.rowCount()
    fresh = QPersistentModelIndex(model.find("fresh"))
    old_kid = fresh.data(Role.KID)
    changed: list[QPersistentModelIndex] = []
    model.dataChanged.connect(lambda a, _b, _roles: changed.append(QPersistentModelIndex(a)))
    keysets.rotate("fresh")
    with qtbot.waitSignal(model.rowsInserted):  # the new version's row
        assert model.set_keysets(keysets.keysets()) is False
    assert fresh.isValid() and model.rowCount() == rows
    index = QModelIndex(fresh)
    assert QPersistentModelIndex(index.siblingAtColumn(Column.KID)) in changed
    assert fresh.data(Role.KID) == keysets.get("fresh").current.kid != old_kid  # type: ignore[union-attr]
    assert model.rowCount(index) == 2
    for col in range(len(HEADERS)):
        cell = index.siblingAtColumn(col)
        assert stored(cell) == expected(model, cell, now)
        for row in range(2):
            version = model.index(row, col, index)
            assert stored(version) == expected(model, version, now)
    states = [model.index(r, Column.STATE, index).data() for r in range(2)]
    assert states == ["previous", "current"]


def test_refresh_times_follows_the_clock(keysets: KeyService, qtbot: QtBot) -> None:
    now = [datetime.now(UTC) + timedelta(hours=1)]
    model = KeysModel(clock=lambda: now[0])
    model.set_keysets(keysets.keysets())
    changed: list[QModelIndex] = []
    model.dataChanged.connect(lambda a, _b, _roles: changed.append(a))
    model.refresh_times()
    assert changed == []  # nothing moved: nothing to repaint
    fresh = model.find("fresh").siblingAtColumn(Column.STATE)
    assert fresh.data() == "ok"
    now[0] += timedelta(days=100)  # past fresh's 90-day rotation
    model.refresh_times()
    assert fresh.data() == "rotation due" and fresh.data(Role.STATE) == "due"
    assert fresh.data(Qt.ItemDataRole.ForegroundRole) == state_color("due")
    assert model.index(1, Column.STATE).data() == "2 due"  # billing: stale and fresh
    assert changed and {i.column() for i in changed} <= {
        Column.CREATED,
        Column.ROTATE_BY,
        Column.STATE,
    }
    for index in all_indexes(model):
        assert stored(index) == expected(model, index, now[0])


def live_items() -> int:
    return sum(1 for w in Shiboken.getAllValidWrappers() if type(w) is QStandardItem)


def test_no_python_wrapper_of_an_item_outlives_a_change(keysets: KeyService, qtbot: QtBot) -> None:
    """Items deleted by Qt (removed rows, a reset) must have no Python wrapper left to use."""
    before = live_items()
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    update_steps(model, keysets, qtbot)  # inserts, removals, then a reset
    assert live_items() == before + 1  # the template every item is copied from


def test_painting_and_filtering_call_no_python(keysets: KeyService, qtbot: QtBot) -> None:
    model = KeysModel()
    model.set_keysets(keysets.keysets())
    proxy = KeysFilterProxy()
    proxy.setSourceModel(model)
    tree = QTreeView()
    qtbot.addWidget(tree)
    tree.setModel(proxy)
    tree.setSortingEnabled(True)
    tree.resize(900, 600)
    tree.show()
    tree.expandAll()
    qtbot.waitExposed(tree)
    viewport, scroll = tree.viewport(), tree.verticalScrollBar()
    cell = proxy.index(0, Column.ALG, proxy.index(0, 0))
    created = int(Column.CREATED)

    def use() -> None:
        viewport.repaint()
        tree.setCurrentIndex(cell)
        proxy.sort(created)  # (an enum argument would be converted in Python)
        proxy.setFilterFixedString("billing")
        viewport.repaint()
        proxy.setFilterFixedString("")
        scroll.setValue(scroll.maximum())
        viewport.repaint()

    use()  # PySide makes some Python enum types on their first use
    calls: list[str] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code is not use.__code__:
            calls.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        use()
    finally:
        sys.setprofile(None)
    assert calls == [], sorted(set(calls))
