"""The Revocation view and the emergency dry run, driven as a user does, against a real
redis-server and the in-memory keyring. Redis calls run in the TaskRunner, never on the
GUI thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from jwtdesk.core.connections import Connection
from jwtdesk.core.secret import Secret
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.views.revocation.dialogs import ConnectionDialog, EmergencyDialog
from jwtdesk.gui.views.revocation.view import RevocationView
from jwtdesk.services.revocation import RevocationService
from jwtdesk.store import redisconn
from tests.redis_servers import PASSWORD
from tests.revocation_helpers import token

pytestmark = pytest.mark.redis


@pytest.fixture
def redis(redis_single: Any) -> Any:
    raw = redis_single.client()
    raw.flushall()
    return redis_single


@pytest.fixture
def gui_threads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for every Redis client made, whether it was made on the GUI thread."""
    seen: list[bool] = []
    original = redisconn.RedisClient._make

    def spy(self: redisconn.RedisClient) -> Any:
        seen.append(threading.current_thread() is threading.main_thread())
        return original(self)

    monkeypatch.setattr(redisconn.RedisClient, "_make", spy)
    return seen


def add_connection(ctx: AppContext, server: Any, name: str = "shop-redis") -> None:
    conn = Connection(name=name, url=server.url, service="shop")
    RevocationService(ctx.keys).create_connection(conn, Secret(PASSWORD.encode()))


def make_view(ctx: AppContext, qtbot: QtBot) -> RevocationView:
    view = RevocationView(ctx, None)
    qtbot.addWidget(view)
    view.show()
    return view


def test_empty_state_says_what_to_do(ctx: AppContext, qtbot: QtBot) -> None:
    view = make_view(ctx, qtbot)
    assert view.empty.isVisible() and "New connection" in view.empty.text()
    assert not view.tabs.isEnabled()


def test_check_revoke_list_off_the_gui_thread(
    ctx: AppContext, qtbot: QtBot, redis: Any, gui_threads: list[bool]
) -> None:
    add_connection(ctx, redis)
    view = make_view(ctx, qtbot)
    assert view.connection == "shop-redis" and not view.empty.isVisible()
    assert redis.url in view.status.text()
    tok = token("alice", iat=time.time() - 5)
    view.token_edit.setPlainText(tok)
    with qtbot.waitSignal(view.checked, timeout=10_000) as blocker:
        qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert not blocker.args[0].revoked
    assert [c.status for c in view.checks_model.checks()] == ["passed"] * 3
    with qtbot.waitSignal(view.written, timeout=10_000):
        qtbot.mouseClick(view.revoke_button, Qt.MouseButton.LeftButton)
    assert redis.client().get(f"blacklist:{tok}") == "1"
    assert tok not in view.banner.text  # the key is shown masked
    with qtbot.waitSignal(view.checked, timeout=10_000) as blocker:
        qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].revoked and "Revoked" in view.verdict.text()
    view.tabs.setCurrentIndex(1)
    view.user_edit.setText("bob")
    with qtbot.waitSignal(view.written, timeout=10_000):
        qtbot.mouseClick(view.user_button, Qt.MouseButton.LeftButton)
    assert redis.client().ttl("user_revoke:bob") > 0
    view.tabs.setCurrentIndex(2)
    with qtbot.waitSignal(view.listed, timeout=10_000) as blocker:
        qtbot.mouseClick(view.list_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [2] and view.entries_model.rowCount() == 2
    assert gui_threads and not any(gui_threads)  # every client was made in a worker


def test_redis_down_shows_in_the_banner(ctx: AppContext, qtbot: QtBot, redis: Any) -> None:
    conn = Connection(name="gone", url="redis://127.0.0.1:1")
    RevocationService(ctx.keys).create_connection(conn, None)
    view = make_view(ctx, qtbot)
    view.token_edit.setPlainText(token())
    qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.banner.isVisible, timeout=10_000)
    assert "cannot reach Redis at 127.0.0.1:1" in view.banner.text


def test_connection_dialog_validates_and_keeps_password_masked(qtbot: QtBot) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "connection name" in dialog.error.text()
    dialog.fields["name"].setText("shop")
    dialog.fields["url"].setText("http://x")
    assert not ok.isEnabled() and "redis://" in dialog.error.text()
    dialog.fields["url"].setText("redis://127.0.0.1:6380/2")
    dialog.fields["password"].setText("pw-123")
    assert ok.isEnabled()
    assert dialog.fields["password"].echoMode() == dialog.fields["password"].EchoMode.Password
    dialog.fields["timeout"].setText("soon")
    assert not ok.isEnabled() and "seconds" in dialog.error.text()
    dialog.fields["timeout"].setText("0.5")
    dialog.fields["lifetime"].setText("30d")
    dialog.fields["environment"].setText("prod")
    assert ok.isEnabled()
    conn = dialog.connection()
    assert (
        conn.timeout_s == 0.5 and conn.max_lifetime_s == 30 * 86400 and conn.environment == "prod"
    )
    assert conn.db == 2 and conn.url == "redis://127.0.0.1:6380" and conn.secret_id == ""
    assert dialog.password() is not None and "pw-123" not in repr(dialog.password())


def test_emergency_dry_run_in_the_dialog_changes_nothing(
    ctx: AppContext, qtbot: QtBot, redis: Any
) -> None:
    ctx.keys.create("shop-access", "HS256", service="shop")
    add_connection(ctx, redis)
    before = ctx.keys.get("shop-access").current
    dialog = EmergencyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.service_combo.currentText() == "shop"
    assert dialog.connection_combo.currentText() == "shop-redis"
    assert not dialog.run_button.isEnabled()
    qtbot.mouseClick(dialog.dry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15_000)
    assert dialog.outcome is not None and dialog.outcome.ok and dialog.outcome.dry_run
    rows = [dialog.steps_view.topLevelItem(i) for i in range(dialog.steps_view.topLevelItemCount())]
    assert rows[0].text(0) == "✔ done"
    assert {r.text(0) for r in rows[1:]} == {"planned"}
    assert any("Rotate shop-access" in r.text(1) for r in rows)
    assert dialog.run_button.isEnabled()
    assert ctx.keys.get("shop-access").current == before
    assert redis.client().exists("global_revoke_before") == 0


def test_emergency_run_after_confirming(ctx: AppContext, qtbot: QtBot, redis: Any) -> None:
    ctx.keys.create("shop-access", "HS256", service="shop")
    add_connection(ctx, redis)
    before = ctx.keys.get("shop-access").current
    dialog = EmergencyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.dry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=15_000)

    def answer_yes() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(50, answer_yes)

    QTimer.singleShot(50, answer_yes)
    with qtbot.waitSignal(dialog.finished_run, timeout=20_000) as blocker:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.ok and not outcome.dry_run
    assert ctx.keys.get("shop-access").current != before
    assert redis.client().exists("global_revoke_before") == 1
    assert "Report:" in dialog.banner.text


def test_navigation_entry_and_shortcut(window: MainWindow, qtbot: QtBot) -> None:
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    row = labels.index("Revocation")
    assert labels[row - 2 : row] == ["Export", "Audit"]  # after Export and Audit
    assert window.nav.item(row).toolTip() == "Revocation (Ctrl+6)"
    window.show_view("revocation")
    qtbot.waitUntil(lambda: "revocation" in window.views, timeout=5000)
    assert isinstance(window.views["revocation"], RevocationView)


def test_inspect_gains_a_revocation_row(ctx: AppContext, qtbot: QtBot, redis: Any) -> None:
    from jwtdesk.core import tokens
    from jwtdesk.core.keysets import Purpose
    from jwtdesk.gui.views.inspect.view import InspectView

    ctx.keys.create("api", "HS256", purpose=Purpose.ACCESS)
    add_connection(ctx, redis)
    tok = ctx.tokens.build("api", tokens.TokenRequest(sub="carol"))
    view = InspectView(ctx)
    qtbot.addWidget(view)
    view.show()
    assert view.revocation.widget.isVisible()
    view.set_token(tok)
    qtbot.waitUntil(lambda: view.verdict.state == "valid", timeout=10_000)
    assert "revoked" not in [c.name for c in view.checks_model.checks()]  # none chosen
    view.revocation.combo.setCurrentText("shop-redis")
    assert view.verdict.state == "unverified" and "checking on shop-redis" in view.verdict.plain
    qtbot.waitUntil(
        lambda: ("revoked", "passed") in [(c.name, c.status) for c in view.checks_model.checks()],
        timeout=10_000,
    )
    assert view.verdict.state == "valid"
    RevocationService(ctx.keys).revoke_token(RevocationService(ctx.keys).target("shop-redis"), tok)
    view.revocation.combo.setCurrentIndex(0)
    view.revocation.combo.setCurrentText("shop-redis")  # ask again
    qtbot.waitUntil(lambda: view.verdict.state == "invalid", timeout=10_000)
    row = next(c for c in view.checks_model.checks() if c.name == "revoked")
    assert row.status == "failed" and "blacklist" in row.reason
    assert "Revocation (Redis)" in view.verdict.plain
