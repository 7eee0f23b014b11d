"""Screenshots of every view and dialog with a demo data set: `make screenshots`.

Run inside tools/with-test-keyring.sh under `xvfb-run -a` (the Makefile does): HOME, the
keyring and JWTDESK_HOME are throwaway. The demo keysets are made with KeyService and an
injected clock, so their histories span months: one RSA, one EC, one rotated twice, one with
its rotation due. PNGs go to screenshots/ (or the directory given as the first argument).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1360, 860


def demo_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="jwtdesk-demo-"))
    os.environ["JWTDESK_HOME"] = str(home / "data")
    return home


def seed(home: Path) -> str:
    """Keysets across services and environments, made at past dates (clock injection).
    Returns a token signed by billing-api's first key, retired since (issue 19)."""
    from jwtdesk.core.keysets import Purpose
    from jwtdesk.services import KeyService
    from jwtdesk.store.index import Index
    from jwtdesk.store.vault import Vault

    now = datetime.now(UTC)

    def at(days_ago: float) -> KeyService:
        when = now - timedelta(days=days_ago)
        return KeyService(Index(home), Vault, clock=lambda: when)

    billing = {"service": "billing", "environment": "prod"}
    at(200).create("billing-api", "ES256", purpose=Purpose.ACCESS, **billing)
    from jwtdesk.core.tokens import Preset, TokenRequest
    from jwtdesk.services.tokens import TokenService

    old = TokenRequest(
        preset=Preset.CUSTOM, sub="user-7", exp="+400d", iss="https://auth.example.com"
    )
    old_token = TokenService(at(200), clock=lambda: now - timedelta(days=200)).build(
        "billing-api", old
    )
    at(110).rotate("billing-api")
    at(20).rotate("billing-api")
    at(104).create("billing-refresh", "HS512", purpose=Purpose.REFRESH, **billing)
    auth = {"service": "auth", "environment": "staging", "purpose": Purpose.ACCESS}
    at(45).create("auth-rsa", "RS256", size=3072, rotation_period=timedelta(days=60), **auth)
    at(12).rotate("auth-rsa")
    at(6).create("webhooks", "EdDSA", service="webhooks", environment="prod")
    monthly = timedelta(days=30)
    at(30).create("ci-deploy", "HS256", purpose=Purpose.CONFIRMATION, rotation_period=monthly)
    from jwtdesk.services.export import ExportService

    ExportService(at(0)).create_profile(
        "billing-prod",
        access="billing-refresh",
        refresh="billing-refresh",
        confirmation="ci-deploy",
        issuer="https://auth.example.com",
        audience="billing",
    )
    ExportService(at(0)).set_var("billing-prod", "JWT_SECRET_CURRENT", "billing-api:current")
    ExportService(at(0)).set_var("billing-prod", "JWT_PUBLIC_KEYS", "billing-api:jwks")
    # Issue 19: a 14-byte HMAC secret imported with --allow-weak, and a rotation due soon.
    from jwtdesk.services.importing import ImportOptions, import_file

    legacy = home / "legacy.env"
    legacy.write_text("JWT_SECRET=fourteen-bytes\n")
    opts = ImportOptions(
        name="legacy-hmac",
        alg="HS256",
        variables=["JWT_SECRET"],
        allow_weak=True,
        service="auth",
        environment="staging",
    )
    import_file(at(3), str(legacy), opts)
    legacy.unlink()
    at(80).create("reports-api", "ES256", service="reports", environment="prod")
    return old_token


def demo_token(ctx: object) -> str:
    from jwtdesk.core.errors import JwtdeskError
    from jwtdesk.core.tokens import Preset, TokenRequest

    req = TokenRequest(
        preset=Preset.CUSTOM,
        iss="https://auth.example.com",
        sub="user-42",
        exp="+30d",
        claims={"email": "ada@example.com", "role": "admin"},
    )
    try:
        return str(ctx.tokens.build("billing-api", req))  # type: ignore[attr-defined]
    except JwtdeskError as exc:
        print(f"no demo token: {exc}", file=sys.stderr)
        return ""


class Shooter:
    def __init__(self, out: Path) -> None:
        from PySide6.QtTest import QTest

        self.out = out
        self.wait = QTest.qWait
        self.saved: list[str] = []

    def save(self, widget: object, name: str, settle_ms: int = 150) -> None:
        self.wait(settle_ms)
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):  # type: ignore[attr-defined]
            raise SystemExit(f"could not write {path}")
        self.saved.append(path.name)

    def dialog(
        self,
        owner: object,
        open_it: Callable[[], None],
        name: str,
        prepare: Callable[[object], None] | None = None,
    ) -> None:
        open_it()
        self.wait(200)
        dialog = owner.dialog  # type: ignore[attr-defined]
        if dialog is None:
            raise SystemExit(f"{name}: no dialog opened")
        if prepare is not None:
            prepare(dialog)
        self.save(dialog, name)
        dialog.reject()
        self.wait(100)


def wait_until(cond: Callable[[], bool], timeout_ms: int = 30_000) -> None:
    from PySide6.QtTest import QTest

    waited = 0
    while not cond():
        QTest.qWait(20)
        waited += 20
        if waited > timeout_ms:
            raise SystemExit("timed out waiting for the app")


def shoot_keys(s: Shooter, window: object, ctx: object) -> None:
    from PySide6.QtTest import QTest

    view = window.keys_view  # type: ignore[attr-defined]
    view.tree.expandAll()
    view.select("billing-api")
    s.save(window, "keys")
    view.select("billing-refresh")
    s.save(window, "keys-rotation-due")
    view.select("auth-rsa")
    details = view.details
    details.public.setCurrentIndex(1)
    s.save(window, "keys-rsa-jwk")
    details.public.setCurrentIndex(0)
    view.select("ci-deploy")
    details.secret.eye.click()
    wait_until(lambda: details.secret.revealed)
    details.secret.copy_button.click()
    s.save(window, "keys-secret-revealed-and-copied")
    details.secret.remask()
    view.filter.setFocus()
    QTest.keyClicks(view.filter, "prod")
    s.save(window, "keys-filter")
    view.filter.clear()
    view.banner.show_error(
        "Creating billing-api failed: a keyset named 'billing-api' already exists; "
        "choose another name"
    )
    s.save(window, "keys-error-banner")
    view.banner.hide()


def shoot_dialogs(s: Shooter, window: object) -> None:
    from PySide6.QtTest import QTest

    view = window.keys_view  # type: ignore[attr-defined]

    def fill_new(d: object) -> None:
        QTest.keyClicks(d.name, "payments-api")  # type: ignore[attr-defined]
        QTest.keyClicks(d.service, "payments")  # type: ignore[attr-defined]
        QTest.keyClicks(d.environment, "prod")  # type: ignore[attr-defined]
        d.alg.setCurrentIndex(d.alg.findData("RS256"))  # type: ignore[attr-defined]

    def fill_invalid(d: object) -> None:
        QTest.keyClicks(d.name, "billing api!")  # type: ignore[attr-defined]

    s.dialog(view.key_actions, view.key_actions.new_action.trigger, "dialog-new-keyset", fill_new)
    s.dialog(
        view.key_actions,
        view.key_actions.new_action.trigger,
        "dialog-new-keyset-invalid",
        fill_invalid,
    )
    view.select("billing-api")
    s.dialog(view.key_actions, view.key_actions.rotate_action.trigger, "dialog-rotate")
    s.dialog(view.key_actions, view.key_actions.retire_action.trigger, "dialog-retire")
    s.dialog(view.key_actions, view.key_actions.rename_action.trigger, "dialog-rename")

    def type_some(d: object) -> None:
        QTest.keyClicks(d.confirm, "billing")  # type: ignore[attr-defined]

    s.dialog(view.key_actions, view.key_actions.delete_action.trigger, "dialog-delete", type_some)
    s.dialog(window, window.show_about, "dialog-about")  # type: ignore[attr-defined]
    s.dialog(window, window.show_help, "dialog-help")  # type: ignore[attr-defined]


def shoot_busy(s: Shooter, window: object, ctx: object) -> None:
    from jwtdesk.core.keysets import Purpose
    from jwtdesk.gui.views.keys.dialogs import NewKeyset

    view = window.keys_view  # type: ignore[attr-defined]
    req = NewKeyset("big-rsa", "RS256", 4096, "demo", "dev", Purpose.ACCESS, timedelta(days=90), "")
    view.key_actions.create_keyset(req)
    s.save(window, "keys-generating-rsa4096", settle_ms=400)
    view.busy.cancel_button.click()
    wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]


def shoot_views(s: Shooter, window: object, ctx: object) -> None:
    token = demo_token(ctx)
    for key in ("build", "inspect", "export"):
        window.show_view(key)  # type: ignore[attr-defined]
        view = window.view(key)  # type: ignore[attr-defined]
        s.wait(300)
        wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
        if key == "export" and hasattr(view, "check_file"):
            deployed = Path(os.environ["HOME"]) / "deployed.env"
            deployed.write_text("JWT_SECRET_CURRENT=an-old-hand-made-secret\nJWT_EXPIRES_IN=1h\n")
            view.variables_view.selectRow(0)
            view.check_file(str(deployed))
            s.wait(600)
            wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
        if key == "inspect" and token and hasattr(view, "set_token"):
            view.set_token(token)
            s.wait(600)
            wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
        s.save(window, key, settle_ms=400)
        if key == "inspect" and token and hasattr(view, "set_token"):
            # A padded signature pasted with a terminal's newline: trimmed and said, then
            # refused by the canonical check although the MAC verifies (issue 12).
            view.set_token(token + "=\n")
            s.wait(600)
            wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
            s.save(window, "inspect-second-spelling", settle_ms=400)
    window.show_view("keys")  # type: ignore[attr-defined]


def shoot_operator(s: Shooter, window: object, ctx: object, retired_token: str) -> None:
    """Issue 19: weak and due-soon keys, Build's lifetime warning, Inspect of a retired key's
    token, the Export re-check after a rotation, the lock page and its question."""
    from PySide6.QtTest import QTest

    w: Any = window
    c: Any = ctx
    view = w.keys_view
    view.select("legacy-hmac")
    s.save(window, "keys-weak-and-due-soon")
    w.show_view("build")
    build = w.view("build")
    build.select_keyset("billing-api")
    wait_until(lambda: build.token() != "")
    build.form.exp_field.relative.clear()
    QTest.keyClicks(build.form.exp_field.relative, "30d")
    s.save(window, "build-long-lifetime-warning", settle_ms=300)
    build.form.exp_field.relative.clear()
    w.show_view("inspect")
    inspect = w.view("inspect")
    inspect.set_token(retired_token)
    s.wait(400)
    wait_until(lambda: not c.runner.busy)
    s.save(window, "inspect-retired-key", settle_ms=300)
    w.lock_now()
    s.save(window, "locked-inspect")
    w.show_view("keys")
    view.select("billing-api")
    s.save(window, "locked-keys")
    view.key_actions.rotate_action.trigger()
    s.wait(200)
    s.save(view.key_actions.dialog, "dialog-unlock")
    view.key_actions.dialog.reject()
    w.unlock()
    s.dialog(window, w.show_preferences, "dialog-preferences")
    w.show_view("export")
    export = w.view("export")
    deployed = Path(os.environ["HOME"]) / "billing.env"
    export.write_to(deployed)
    wait_until(lambda: deployed.exists() and not c.runner.busy)
    export.check_file(str(deployed))
    wait_until(lambda: "in sync" in export.verdict.text() or "DRIFT" in export.verdict.text())
    s.save(window, "export-in-sync", settle_ms=300)
    c.keys.rotate("billing-refresh")  # reported: the change feed rechecks the export
    s.wait(300)
    wait_until(lambda: not c.runner.busy and "checking again" not in export.verdict.text())
    s.save(window, "export-rechecked-after-rotation", settle_ms=300)
    w.show_view("keys")


def fill_connection(d: object) -> None:
    d.fields["name"].setText("billing-redis")  # type: ignore[attr-defined]
    d.fields["url"].setText("rediss://redis.billing.internal:6380/0")  # type: ignore[attr-defined]
    d.fields["service"].setText("billing")  # type: ignore[attr-defined]
    d.fields["password"].setText("demo-password")  # type: ignore[attr-defined]
    d.fields["ca_file"].setText("/etc/ssl/billing-ca.pem")  # type: ignore[attr-defined]
    d.mode_combo.setCurrentText("sha256")  # type: ignore[attr-defined]


def shoot_inspect_revoked(s: Shooter, window: object, ctx: object, token: str) -> None:
    window.show_view("inspect")  # type: ignore[attr-defined]
    inspect = window.view("inspect")  # type: ignore[attr-defined]
    inspect.set_token(token)
    inspect.revocation.reload()
    inspect.revocation.combo.setCurrentText("billing-redis")
    wait_until(lambda: "revoked" in [c.name for c in inspect.checks_model.checks()])
    wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
    inspect.checks_view.scrollToBottom()
    s.save(window, "inspect-revoked", settle_ms=400)


def shoot_revocation(s: Shooter, window: object, ctx: object, home: Path) -> None:
    """The Revocation view empty, then against a throwaway redis-server on loopback (started
    here, stopped by pid): a checked token, the entries, and the emergency dry run."""
    import shutil

    window.show_view("revocation")  # type: ignore[attr-defined]
    view = window.view("revocation")  # type: ignore[attr-defined]
    s.save(window, "revocation-empty", settle_ms=300)

    s.dialog(view, view.on_new_clicked, "dialog-new-connection", fill_connection)
    if shutil.which("redis-server") is None:
        print("no redis-server: only the empty Revocation view", file=sys.stderr)
        return
    sys.path.insert(0, str(ROOT))
    from jwtdesk.core.connections import Connection
    from jwtdesk.core.secret import Secret
    from jwtdesk.services.revocation import RevocationService
    from tests import redis_servers

    server = redis_servers.start(home / "redis")
    try:
        rev = RevocationService(ctx.keys)  # type: ignore[attr-defined]
        conn = Connection(name="billing-redis", url=server.url, service="billing")
        rev.create_connection(conn, Secret(redis_servers.PASSWORD.encode()))
        target = rev.target("billing-redis")
        token = demo_token(ctx)
        rev.revoke_user(target, "user-7")
        rev.revoke_user(target, "user-42")  # the demo token's user: void whatever its spelling
        if token:
            rev.revoke_token(target, token)
        view.reload()
        view.token_edit.setPlainText(token)
        view.on_check_clicked()
        wait_until(lambda: bool(view.checks_model.checks()))
        s.save(window, "revocation", settle_ms=300)
        view.tabs.setCurrentIndex(2)
        view.on_list_clicked()
        wait_until(lambda: view.entries_model.rowCount() > 0)
        s.save(window, "revocation-entries", settle_ms=300)
        view.tabs.setCurrentIndex(0)

        def dry_run(dialog: object) -> None:
            dialog.service_combo.setCurrentText("billing")  # type: ignore[attr-defined]
            dialog.on_dry_button_clicked()  # type: ignore[attr-defined]
            wait_until(lambda: dialog.outcome is not None)  # type: ignore[attr-defined]

        s.dialog(view, view.on_emergency_clicked, "dialog-emergency-dry-run", dry_run)
        if token:
            shoot_inspect_revoked(s, window, ctx, token)
    finally:
        server.stop()


def shoot_audit(s: Shooter, window: object, ctx: object) -> None:
    """Audit: a search in progress (then cancelled), and results with a found, masked secret."""
    import jwt

    window.show_view("audit")  # type: ignore[attr-defined]
    view = window.view("audit")  # type: ignore[attr-defined]
    home = Path(os.environ["HOME"])
    words = home / "team-wordlist.txt"
    words.write_text("".join(f"candidate-{i}\n" for i in range(200_000)) + "billing-jwt-2024\n")
    weak = jwt.encode({"iss": "https://auth.example.com", "sub": "u1"}, "billing-jwt-2024")
    strong = jwt.encode({"sub": "u2"}, os.urandom(64).hex(), algorithm="HS512")
    view.tokens_edit.setPlainText(f"{weak}\n{strong}")
    view.add_wordlists([str(words)])
    view.rules_check.setChecked(True)
    view.on_run_clicked()
    wait_until(lambda: view.last_progress is not None and view.last_progress.tried > 0)
    s.wait(1500)
    s.save(window, "audit-progress", settle_ms=100)
    view.cancel()
    wait_until(lambda: not view.running)
    view.rules_check.setChecked(False)
    view.on_run_clicked()
    wait_until(lambda: not view.running, 120_000)
    s.save(window, "audit", settle_ms=300)
    window.show_view("keys")  # type: ignore[attr-defined]


def demo_repo(ctx: object) -> Path:
    """A git repository where a stored secret was committed, then removed; and a weak one."""
    import base64
    import subprocess

    repo = Path(os.environ["HOME"]) / "shop-api"
    repo.mkdir(exist_ok=True)
    secret = ctx.keys.secret("billing-refresh", action="demo")[1].reveal()  # type: ignore[attr-defined]
    env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com"}
    env |= {"GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    (repo / "k8s-secret.yaml").write_bytes(
        b"kind: Secret\ndata:\n  REFRESH_TOKEN_SECRET: " + base64.b64encode(secret) + b"\n"
    )
    (repo / "settings.py").write_text('DEBUG = True\nJWT_SECRET = "changeme"\n')
    git("add", "-A")
    git("commit", "-qm", "deploy config")
    (repo / "k8s-secret.yaml").unlink()
    git("commit", "-qam", "remove the secret")
    return repo


def shoot_checklist(s: Shooter, window: object, ctx: object) -> None:
    window.show_view("checklist")  # type: ignore[attr-defined]
    view = window.view("checklist")  # type: ignore[attr-defined]
    s.wait(300)
    wait_until(lambda: not ctx.runner.busy and bool(view.items))  # type: ignore[attr-defined]
    view.start_scan([demo_repo(ctx)], history=True)
    wait_until(lambda: view.scan_result is not None)
    s.wait(300)
    wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
    view.select("keys-vcs")
    s.save(window, "checklist", settle_ms=400)
    window.show_view("keys")  # type: ignore[attr-defined]


def demo_har(token: str, refresh: str) -> Path:
    """A small HAR 1.2 file as Chrome writes it: a login setting a refresh cookie without
    HttpOnly on a site without HSTS, an API call with the Bearer, a tracker over http."""
    import json

    def entry(
        method: str, url: str, req: list[tuple[str, str]], resp: list[tuple[str, str]]
    ) -> object:
        return {
            "startedDateTime": datetime.now(UTC).isoformat(), "time": 20, "cache": {},
            "request": {"method": method, "url": url, "httpVersion": "http/2.0",
                        "headers": [{"name": n, "value": v} for n, v in req],
                        "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "", "httpVersion": "http/2.0",
                         "headers": [{"name": n, "value": v} for n, v in resp], "cookies": [],
                         "content": {"size": 0, "mimeType": "application/json", "text": ""},
                         "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "timings": {"send": 0, "wait": 18, "receive": 2},
        }  # fmt: skip

    cookie = f"refresh_token={refresh}; Path=/auth; Max-Age=31536000; Secure; SameSite=Lax"
    entries = [
        entry("POST", "https://auth.example.com/oauth/token", [], [("set-cookie", cookie)]),
        entry("GET", "https://billing.example.com/v1/invoices",
              [("authorization", f"Bearer {token}")],
              [("strict-transport-security", "max-age=63072000")]),
        entry("GET", f"http://stats.example.net/pixel.gif?t={token}", [], []),
    ]  # fmt: skip
    path = Path(os.environ["HOME"]) / "billing-login.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector"},
                                        "entries": entries}}))  # fmt: skip
    return path


def shoot_travel(s: Shooter, window: object, ctx: object) -> None:
    """Inspect with transport findings (a pasted Set-Cookie), then a dropped HAR's tokens."""
    from jwtdesk.core.tokens import TokenRequest

    token = demo_token(ctx)
    if not token:
        return
    refresh = ctx.tokens.build("billing-refresh", TokenRequest(sub="user-42", exp="+6d"))  # type: ignore[attr-defined]
    window.show_view("inspect")  # type: ignore[attr-defined]
    view = window.view("inspect")  # type: ignore[attr-defined]
    view.set_token(f"Set-Cookie: session={token}; Path=/; Max-Age=7776000; SameSite=None")
    s.wait(600)
    wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
    s.save(window, "inspect-transport", settle_ms=400)
    view.on_token_edit_file_dropped(str(demo_har(token, refresh)))
    wait_until(lambda: view.picker.har is not None and not ctx.runner.busy)  # type: ignore[attr-defined]
    view.sources_panel.table.selectRow(1)
    s.wait(600)
    wait_until(lambda: not ctx.runner.busy)  # type: ignore[attr-defined]
    s.save(window, "inspect-har", settle_ms=400)
    view.on_sources_panel_closed()
    window.show_view("keys")  # type: ignore[attr-defined]


def shoot_empty(s: Shooter, out_home: Path) -> None:
    from jwtdesk.gui.app import build_window
    from jwtdesk.gui.context import AppContext
    from jwtdesk.gui.tasks import TaskRunner
    from jwtdesk.services import KeyService
    from jwtdesk.services.tokens import TokenService
    from jwtdesk.store.index import Index
    from jwtdesk.store.vault import Vault

    keys = KeyService(Index(out_home / "empty"), Vault)
    ctx = AppContext(keys, TokenService(keys), TaskRunner())
    window = build_window(ctx)
    window.resize(WIDTH, HEIGHT)
    window.show()
    wait_until(lambda: window.status.keyring_status.state != "checking")
    s.save(window, "keys-empty")
    window.close()
    ctx.runner.shutdown()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    home = demo_home()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from jwtdesk.gui import app as gui

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "qs"))
    retired_token = seed(Path(os.environ["JWTDESK_HOME"]))
    qapp, window = gui.create(["jwtdesk"])
    window.resize(WIDTH, HEIGHT)
    s = Shooter(out)
    window.show()
    # What start-up shows for ~0.1 s: the frame, before its first view is built.
    if not window.grab().save(str(out / "startup-frame.png")):
        raise SystemExit("could not write startup-frame.png")
    s.saved.append("startup-frame.png")
    wait_until(lambda: window.status.keyring_status.state != "checking")
    ctx = window.ctx
    shoot_keys(s, window, ctx)
    shoot_views(s, window, ctx)
    shoot_audit(s, window, ctx)
    shoot_checklist(s, window, ctx)
    shoot_travel(s, window, ctx)
    shoot_dialogs(s, window)
    shoot_busy(s, window, ctx)
    shoot_operator(s, window, ctx, retired_token)
    shoot_revocation(s, window, ctx, home)
    window.close()
    shoot_empty(s, home)
    ctx.runner.shutdown()
    QApplication.processEvents()
    print(f"{len(s.saved)} screenshots in {out}:")
    for name in s.saved:
        print(f"  {name}")
    del qapp
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
