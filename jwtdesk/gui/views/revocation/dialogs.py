"""Dialogs of the Revocation view: a new Redis connection, and the guided emergency response.

The connection dialog validates in place (OK stays disabled, the reason under the form); the
password field is masked and its text goes straight to the keyring through the service. The
emergency dialog runs a dry run first (checks only), shows every step, and runs the response
only after it passed and the user confirmed; all Redis and keyring work is in the TaskRunner.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.connections import Connection, parse_url
from jwtdesk.core.errors import InvalidInput, JwtdeskError
from jwtdesk.core.revocation import KeySchema, parse_mode
from jwtdesk.core.secret import Secret
from jwtdesk.core.tokens import parse_duration
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import fix_text, for_people
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.services.emergency import EmergencyService, Outcome, Step


class ConnectionDialog(QDialog):
    """Name, URL, password (masked), cluster, TLS files, service and the key schema."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Redis connection")
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        for key, label, default, hint in (
            ("name", "&Name", "", "shop-prod"),
            ("url", "&URL", "redis://127.0.0.1:6379/0", "redis://host:6379/0 or rediss://…"),
            ("service", "&Service", "", "the keysets' service label"),
            ("environment", "&Environment", "", "prod, staging… (optional)"),
            ("username", "User&name", "", "ACL user (optional)"),
            ("password", "&Password", "", "kept in the OS keyring"),
            ("ca_file", "CA file", "", "TLS only: CA certificates (PEM)"),
            ("cert_file", "Client cert", "", "TLS only (PEM)"),
            ("key_file", "Client key", "", "TLS only (PEM)"),
            ("prefix", "Key prefix", "", "none"),
            ("blacklist", "Blacklist key", "blacklist:{token}", ""),
            ("user", "User key", "user_revoke:{id}", ""),
            ("cutoff", "Global key", "global_revoke_before", ""),
            ("lifetime", "Longest token &lifetime", "7d", "cut-offs live this long: 15m, 7d"),
            ("timeout", "&Timeout (s)", "2", "seconds per Redis call"),
        ):
            edit = QLineEdit(default, self)
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", ""))
            edit.textChanged.connect(self.validate)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.fields["password"].setEchoMode(QLineEdit.EchoMode.Password)
        self.cluster_check = QCheckBox("Redis &Cluster (the URL is one of its nodes)", self)
        form.addRow("", self.cluster_check)
        self.mode_combo = QComboBox(self)
        self.mode_combo.addItems(["token", "jti", "sha256"])
        self.mode_combo.setToolTip(
            "What {token} is: the raw token (the guides' way), its jti, or its SHA-256. "
            "sha256 or jti keep live tokens out of Redis and its logs."
        )
        self.mode_combo.setAccessibleName("Key the blacklist by")
        form.addRow("Key &by", self.mode_combo)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Validation message")
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.validate()

    def text(self, key: str) -> str:
        return self.fields[key].text().strip()

    def connection(self) -> Connection:
        parsed = parse_url(self.text("url"))
        return Connection(
            name=self.text("name"),
            url=parsed.url,
            service=self.text("service"),
            environment=self.text("environment"),
            db=parsed.db or 0,
            username=self.text("username") or parsed.username,
            cluster=self.cluster_check.isChecked(),
            ca_file=self.text("ca_file"),
            cert_file=self.text("cert_file"),
            key_file=self.text("key_file"),
            timeout_s=_seconds(self.text("timeout")),
            max_lifetime_s=int(parse_duration(self.text("lifetime")).total_seconds()),
            schema=KeySchema(
                prefix=self.text("prefix"),
                blacklist=self.text("blacklist"),
                user=self.text("user"),
                cutoff=self.text("cutoff"),
                mode=parse_mode(self.mode_combo.currentText()),
            ),
        )

    def password(self) -> Secret | None:
        text = self.fields["password"].text() or (parse_url(self.text("url")).password or "")
        return Secret(text.encode("utf-8")) if text else None

    def validate(self) -> None:
        try:
            self.connection()
            problem = ""
        except JwtdeskError as exc:
            problem = for_people(exc)
        self.error.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput("the timeout is a number of seconds, e.g. 2") from None


_STATUS = {"ok": "✔ done", "failed": "✘ failed", "not run": "— not run", "planned": "planned"}


class EmergencyDialog(QDialog):
    """Choose a service, dry-run (checks only, every step shown), then run after confirming."""

    finished_run = Signal(object)  # Outcome

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rev = ctx.revocation
        self.emergency = EmergencyService(self.rev)
        self.outcome: Outcome | None = None
        self.setWindowTitle("Emergency response")
        self.banner = Banner(self)
        intro = QLabel(
            "For leaked keys: rotate every keyset of the service and retire the previous keys, "
            "set the global cut-off to now on its Redis (every token issued before is void), "
            "re-export its env files and JWKS, and write a report. Dry run first: it checks "
            "everything (Redis reachable too) and changes nothing.",
            self,
        )
        intro.setWordWrap(True)
        self.service_combo = QComboBox(self)
        self.service_combo.setAccessibleName("Service")
        services = sorted({ks.service for ks in ctx.keys.keysets() if ks.service})
        self.service_combo.addItems(services)
        self.connection_combo = QComboBox(self)
        self.connection_combo.setAccessibleName("Redis connection")
        self.service_combo.currentTextChanged.connect(self.on_service_combo_text_changed)
        form = QFormLayout()
        form.addRow("&Service", self.service_combo)
        form.addRow("&Redis", self.connection_combo)
        self.steps_view = QTreeWidget(self)
        self.steps_view.setHeaderLabels(["Status", "Step", "Detail"])
        self.steps_view.setRootIsDecorated(False)
        self.steps_view.setAccessibleName("Steps")
        self.dry_button = QPushButton("&Dry run", self)
        self.run_button = QPushButton("&Run the response…", self)
        self.run_button.setEnabled(False)
        close = QPushButton("Close", self)
        self.dry_button.clicked.connect(self.on_dry_button_clicked)
        self.run_button.clicked.connect(self.on_run_button_clicked)
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.dry_button, self.run_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        for widget in (self.banner, intro):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.steps_view, 1)
        layout.addLayout(row)
        em = self.fontMetrics().averageCharWidth()
        self.resize(em * 150, self.fontMetrics().height() * 30)
        if not services:
            self.banner.show_error("No keyset has a service label: set one (keys new --service).")
            self.dry_button.setEnabled(False)
        self.on_service_combo_text_changed(self.service_combo.currentText())

    def on_service_combo_text_changed(self, service: str) -> None:
        self.connection_combo.clear()
        conns = self.rev.connections()
        mine = [c.name for c in conns if c.service == service]
        self.connection_combo.addItems(mine + [c.name for c in conns if c.name not in mine])
        self.run_button.setEnabled(False)

    def _start(self, dry_run: bool) -> None:
        service, name = self.service_combo.currentText(), self.connection_combo.currentText()
        if not name:
            self.banner.show_error("No Redis connection: add one in the Revocation view first.")
            return
        self.banner.hide()
        self.dry_button.setEnabled(False)
        self.run_button.setEnabled(False)
        emergency, rev = self.emergency, self.rev

        def work() -> Outcome:
            return emergency.run(service, rev.target(name), dry_run=dry_run)

        label = "Emergency dry run" if dry_run else "Emergency response"
        self.ctx.runner.run(work, self.on_done, self.on_failed, label=label)

    def on_dry_button_clicked(self) -> None:
        self._start(True)

    def on_run_button_clicked(self) -> None:
        service = self.service_combo.currentText()
        answer = QMessageBox.warning(
            self,
            "Run the emergency response?",
            f"Rotate every keyset of {service}, retire their previous keys and void every "
            "token issued until now. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._start(False)

    def on_done(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.dry_button.setEnabled(True)
        self.show_steps(outcome.steps)
        if outcome.dry_run:
            self.run_button.setEnabled(outcome.ok)
            if not outcome.ok:
                self.banner.show_error(f"A check failed: {_detail(outcome.steps[0])}")
            return
        report = outcome.report_files[0] if outcome.report_files else "no report file"
        deploy = "; ".join(outcome.to_deploy)
        if outcome.ok:
            self.banner.show_info(f"Done. Report: {report}. To deploy: {deploy}")
        else:
            self.banner.show_error(f"Stopped — see the steps. Report: {report}. {deploy}")
        self.finished_run.emit(outcome)

    def on_failed(self, exc: JwtdeskError) -> None:
        self.dry_button.setEnabled(True)
        self.banner.show_error(for_people(exc))

    def show_steps(self, steps: tuple[Step, ...]) -> None:
        self.steps_view.clear()
        for step in steps:
            detail = _detail(step)
            item = QTreeWidgetItem([_STATUS.get(step.status, step.status), step.title, detail])
            item.setToolTip(1, step.title)
            item.setToolTip(2, detail)
            if step.irreversible:
                item.setToolTip(0, "changes something that cannot be undone")
            self.steps_view.addTopLevelItem(item)
        for column in (0, 1):
            self.steps_view.resizeColumnToContents(column)


def _detail(step: Step) -> str:
    """A step's detail with its fix in this app's words (the CLI names its flags)."""
    return f"{step.detail}; {fix_text(step.fix)}" if step.fix else step.detail
