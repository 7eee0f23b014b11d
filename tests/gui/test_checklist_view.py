"""The Checklist view (Ctrl+7): rows with status, reason and fix; a fix button that works; the
leak scan started from the view, run in the TaskRunner; no secret in any widget."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from jwtdesk.core.checklist import Status
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.checklist.view import ChecklistView
from tests.gui.keys_helpers import wait_idle


def rows(tree: QTreeWidget) -> list[list[str]]:
    out = []
    for n in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(n)
        assert top is not None
        children = [top.child(m) for m in range(top.childCount())] or [top]
        for item in children:
            assert isinstance(item, QTreeWidgetItem)
            out.append([item.text(c) for c in range(tree.columnCount())])
    return out


def all_text(view: ChecklistView) -> str:
    parts = [w.text() for w in view.findChildren(QLabel)]
    parts += [w.text() for w in view.findChildren(QPushButton)]
    for tree in view.findChildren(QTreeWidget):
        parts += [" ".join(r) for r in rows(tree)]
    return "\n".join(parts)


def test_the_checklist_shows_rows_and_a_working_fix_button(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    env = tmp_path / "old.env"
    env.write_text("JWT_SECRET=secret\n")
    from jwtdesk.services.importing import ImportOptions, import_file

    opts = ImportOptions(variables=["JWT_SECRET"], name="legacy", service="shop", allow_weak=True)
    import_file(ctx.keys, str(env), opts)
    with qtbot.waitSignal(ctx.runner.task_finished, timeout=20_000):
        view = ChecklistView(ctx, None)  # evaluates at once, in the TaskRunner
        qtbot.addWidget(view)
        assert ctx.runner.busy and "Evaluating" in view.summary.text()
    assert view.items
    table = rows(view.tree)
    weak = next(r for r in table if r[1].startswith("No key is weak"))
    assert weak[0] == "Failed" and "legacy" in weak[2]
    transport = [r for r in table if r[1].startswith("Tokens travel over HTTPS")]
    assert transport[0][0] == "Unknown" and "check yourself" in transport[0][2]
    assert "failed" in view.summary.text() and "Unknown is never a pass" in view.summary.text()
    view.select("keys-weak")
    assert "Fix:" in view.detail.text()
    button = next(b for b in view.findChildren(QPushButton) if b.text() == "Rotate legacy")
    assert button.toolTip() == "jwtdesk keys rotate legacy"
    with qtbot.waitSignal(view.checklist_evaluated, timeout=30_000):
        button.click()
    assert ctx.keys.get("legacy").previous is not None  # rotated
    items = {i.id: i for i in view.items}
    assert items["keys-weak"].status is Status.FAIL  # the weak key is now the previous one
    view.select("keys-grace")
    wait_idle(qtbot, ctx)


def test_a_scan_started_from_the_view_runs_in_the_background_and_shows_findings(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx.keys.create("api", "HS256", service="shop", environment="prod")
    secret = ctx.keys.secret("api", action="test")[1].reveal()
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "k8s.yaml").write_bytes(b"data:\n  JWT_SECRET: " + base64.b64encode(secret) + b"\n")
    (repo / "dev.env").write_text('JWT_SECRET="changeme"\n')
    view = ChecklistView(ctx, None, run=False)
    qtbot.addWidget(view)
    assert "No leak scan" in view.scan_summary.text()  # the empty state says what to do
    with qtbot.waitSignal(view.scan_finished, timeout=30_000) as blocker:
        view.start_scan([repo], history=True)
        assert ctx.runner.busy  # the scan runs in a worker; the event loop goes on
        assert not view.scan_button.isEnabled()
    result = blocker.args[0]
    assert {f.keyset for f in result.findings} == {"api", None}
    found = rows(view.findings)
    assert [r[1:4] for r in found if r[1] == "api"] == [
        ["api", ctx.keys.get("api").current.kid, "base64"]
    ]  # type: ignore[union-attr]
    assert any(r[1] == "weak value of JWT_SECRET" for r in found)
    assert any("not a git repository" in r[5] for r in found)
    assert "Rotate each leaked keyset" in view.scan_summary.text()
    assert any(b.text() == "Rotate api" for b in view.findChildren(QPushButton))
    qtbot.waitUntil(lambda: bool(view.items), timeout=20_000)  # re-evaluated after the scan
    assert {i.id: i for i in view.items}["keys-vcs"].status is Status.FAIL
    text = all_text(view)
    assert secret.decode()[:16] not in text and base64.b64encode(secret).decode()[:16] not in text
    assert "changeme" not in text
    wait_idle(qtbot, ctx)


def test_an_error_shows_in_the_banner(ctx: AppContext, qtbot: QtBot) -> None:
    view = ChecklistView(ctx, None, run=False)
    qtbot.addWidget(view)
    view.service_box.addItem("nope")
    view.service_box.setCurrentText("nope")
    with qtbot.waitSignal(ctx.runner.task_finished, timeout=20_000):
        view.evaluate()
    assert view.banner.isVisibleTo(view) and "no keyset belongs" in view.banner.text
    assert view.run_button.isEnabled()


def test_a_running_scan_can_be_cancelled(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    ctx.keys.create("api", "HS256")
    tree = tmp_path / "many"
    for n in range(300):
        (tree / f"d{n % 10}").mkdir(parents=True, exist_ok=True)
        (tree / f"d{n % 10}" / f"f{n}.txt").write_text("x\n" * 1000)
    view = ChecklistView(ctx, None, run=False)
    qtbot.addWidget(view)
    with qtbot.waitSignal(ctx.runner.task_finished, timeout=30_000):
        view.start_scan([tree], history=False)
        assert view.cancel_button.isVisibleTo(view)
        view.cancel_button.click()
    assert view.scan_result is None
    assert "cancelled" in view.banner.text and "stopped" in view.scan_summary.text()
    assert view.scan_button.isEnabled() and not view.cancel_button.isVisibleTo(view)


@pytest.mark.redis
def test_the_revocation_items_ask_the_services_redis(
    ctx: AppContext, qtbot: QtBot, redis_single: object
) -> None:
    """The view answers the revocation items with the service's Redis connection, as the CLI
    does (services.revocation.evaluate_checklist), not "unknown"."""
    from jwtdesk.core.connections import Connection
    from jwtdesk.core.keysets import Purpose
    from jwtdesk.core.secret import Secret
    from jwtdesk.services.revocation import RevocationService
    from tests import redis_servers

    ctx.keys.create("shop-access", "HS256", purpose=Purpose.ACCESS, service="shop")
    rev = RevocationService(ctx.keys)
    url = redis_single.url  # type: ignore[attr-defined]
    rev.create_connection(
        Connection(name="shop-redis", url=url, service="shop"),
        Secret(redis_servers.PASSWORD.encode()),
    )
    with qtbot.waitSignal(ctx.runner.task_finished, timeout=20_000):
        view = ChecklistView(ctx, None)
        qtbot.addWidget(view)
    view.service_box.setCurrentText("shop")
    with qtbot.waitSignal(view.checklist_evaluated, timeout=30_000):
        view.evaluate()
    items = {i.id: i for i in view.items}
    assert items["revocation-redis"].status is Status.PASS, items["revocation-redis"].reason
    assert redis_servers.PASSWORD not in all_text(view)
    wait_idle(qtbot, ctx)
