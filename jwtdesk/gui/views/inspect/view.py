"""The Inspect view: paste a token (or a Bearer line, a cookie, a URL), see it decoded, verified
against stored keysets or a key file, validated and linted — live, on every keystroke.

Per keystroke only ``core.inspect`` runs (sub-millisecond) over candidate keys cached here;
keys come from the keyring through the TaskRunner (:mod:`.inspect_keys`). What the user pasted
is never rewritten: the token is found inside it (:mod:`jwtdesk.gui.extract`) and only coloured.
Nothing is persisted: a restart opens an empty view.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.errors import Fix
from jwtdesk.core.extract import Extraction, Found
from jwtdesk.core.inspect import Check, Report, inspect
from jwtdesk.core.lint_transport import storage_findings, with_transport
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.models.inspect import ChecksModel, ClaimsModel, FindingsModel
from jwtdesk.gui.models.inspect_text import Lifetime, json_text
from jwtdesk.gui.tokenview import (
    LifetimeBar,
    SegmentHighlighter,
    SegmentLegend,
    Span,
    monospace_edit,
)
from jwtdesk.gui.views.inspect.checks import fit_checks
from jwtdesk.gui.views.inspect.inputs import ExpectationsForm, KeysPanel, TokenEdit
from jwtdesk.gui.views.inspect.keys import CandidateSource
from jwtdesk.gui.views.inspect.revocation import RevocationChecker
from jwtdesk.gui.views.inspect.slots import SourcesSlots
from jwtdesk.gui.views.inspect.sources import SourcesPanel, TokenPicker, describe
from jwtdesk.gui.views.inspect.verdict import VerdictLabel, adjusted_checks, keys_status
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.gui.widgets.findings import FindingsView
from jwtdesk.services.changes import Change, Kind

EMPTY_TEXT = (
    "Paste a token (Ctrl+L) — or a whole Authorization: Bearer line, a Cookie or Set-Cookie "
    "header, a URL, a curl command, an HTTP request or response, or code — or drop a file "
    "holding one, or a browser's .har file. It is decoded, verified and linted as you type, "
    "and so is how it travelled."
)


class InspectView(SourcesSlots, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.source = CandidateSource(ctx, self)
        self.checks_model = ChecksModel(self)
        self.claims_model = ClaimsModel(self)
        self.findings_model = FindingsModel(self)
        self.report: Report | None = None
        self.extracted: Found | None = None  # the token inspected and where it was seen
        self.extraction: Extraction | None = None  # everything found in the current input
        self.picker = TokenPicker()  # which token of the input (or a dropped HAR) is inspected
        self._json_key: tuple[bytes | None, bytes | None] | None = None
        self._shown_text = ""
        self._build_inputs()
        self._build_results()
        self._layout()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._connect()
        self.refresh_keysets()
        self.refresh()

    # -- construction -----------------------------------------------------------------------

    def _build_inputs(self) -> None:
        self.banner = Banner()
        self._file_banner: str | None = None  # what the banner says of an unusable key file
        self.token_edit = TokenEdit()
        monospace_edit(self.token_edit)
        self.token_edit.setPlaceholderText(EMPTY_TEXT)
        self.token_edit.setAccessibleName("Token to inspect")
        self.token_edit.setTabChangesFocus(True)
        self.highlighter = SegmentHighlighter(self.token_edit, self._locate)
        self.extracted_label = QLabel()
        self.extracted_label.setWordWrap(True)
        self.extracted_label.setAccessibleName("Where the token was found")
        self.sources_panel = SourcesPanel()
        self.legend = SegmentLegend()
        self.keys_panel = KeysPanel()
        self.expect_form = ExpectationsForm()
        self.revocation = RevocationChecker(self.ctx, self)

    def _build_results(self) -> None:
        self.verdict = VerdictLabel()
        self.lifetime_bar = LifetimeBar()
        self.checks_view = QTableView()
        self.checks_view.setModel(self.checks_model)
        self.checks_view.setAccessibleName("Checks")
        self.checks_view.verticalHeader().hide()
        self.checks_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checks_view.setWordWrap(True)  # a long reason wraps (see _fit_checks)
        side = self.fontMetrics().height()  # status icons as tall as the text: compact rows
        self.checks_view.setIconSize(QSize(side, side))
        self.checks_view.verticalHeader().setDefaultSectionSize(side + side // 2)
        self._fitted: tuple[object, ...] = ()
        self.checks_view.setTabKeyNavigation(False)  # Tab leaves; arrows move between rows
        header = self.checks_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.claims_view = QTreeView()
        self.claims_view.setModel(self.claims_model)
        self.claims_view.setAccessibleName("Header and claims")
        self.claims_view.setAlternatingRowColors(True)
        self.claims_view.setUniformRowHeights(True)
        tree_header = self.claims_view.header()
        tree_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        tree_header.setResizeContentsPrecision(64)  # a 1,000-claim token sizes 64 rows, not all
        # Values are short (times are numbers); the meaning column gets the width for UTC,
        # local time and "in 12 min".
        self.claims_view.setColumnWidth(1, self.fontMetrics().horizontalAdvance("x") * 18)
        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        monospace_edit(self.json_view)
        self.json_view.setAccessibleName("Decoded JSON")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.claims_view, "&Claims")
        self.tabs.addTab(self.json_view, "&JSON")
        self.findings_view = FindingsView(self.findings_model)
        self.findings_title = QLabel("Findings")

    def _layout(self) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        title = QLabel("&Token")
        title.setBuddy(self.token_edit)
        lv.addWidget(title)
        lv.addWidget(self.token_edit, 1)
        for widget in (self.extracted_label, self.legend, self.keys_panel, self.expect_form):
            lv.addWidget(widget)
        lv.addWidget(self.revocation.widget)
        lv.insertWidget(lv.indexOf(self.extracted_label) + 1, self.sources_panel, 1)
        top = QWidget()
        tv = QVBoxLayout(top)
        tv.setContentsMargins(0, 0, 0, 0)
        tv.addWidget(self.verdict)
        tv.addWidget(self.lifetime_bar)
        tv.addWidget(self.checks_view, 1)
        bottom = QWidget()
        bv = QVBoxLayout(bottom)
        bv.setContentsMargins(0, 0, 0, 0)
        bv.addWidget(self.findings_title)
        bv.addWidget(self.findings_view)
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(top)
        results.addWidget(self.tabs)
        results.addWidget(bottom)
        line = self.fontMetrics().lineSpacing()  # every check row shown at the default size
        results.setSizes([line * 20, line * 18, line * 9])
        self.results_splitter = results
        self.empty_label = QLabel(f"<h3>Nothing to inspect yet</h3><p>{EMPTY_TEXT}</p>")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("Nothing to inspect yet")
        self.results_stack = QStackedWidget()
        self.results_stack.addWidget(self.empty_label)
        self.results_stack.addWidget(results)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.results_stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        em = self.fontMetrics().averageCharWidth()
        self.splitter.setSizes([em * 60, em * 120])  # the results' time columns fit
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)
        self._tab_order()

    def _tab_order(self) -> None:
        """Tab moves in reading order: token, keys, expectations, then the results."""
        keys, form = self.keys_panel, self.expect_form
        chain: list[QWidget] = [
            self.token_edit, keys.keysets_list, keys.file_edit, keys.browse_button,
            keys.clear_button, keys.unlock_button, keys.retry_button, form.iss_edit,
            form.aud_edit, form.leeway_spin, form.at_edit, form.now_button, form.required_edit,
            form.kind_combo, self.revocation.combo, self.checks_view, self.tabs,
            self.claims_view, self.json_view, self.findings_view,
        ]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.token_edit.textChanged.connect(self.on_token_edit_text_changed)
        self.token_edit.file_dropped.connect(self.on_token_edit_file_dropped)
        self.sources_panel.token_chosen.connect(self.on_sources_panel_token_chosen)
        self.sources_panel.closed.connect(self.on_sources_panel_closed)
        self.expect_form.expectations_changed.connect(self.on_expect_form_expectations_changed)
        self.source.candidates_changed.connect(self.on_source_candidates_changed)
        self.keys_panel.keysets_toggled.connect(self.on_keys_panel_keysets_toggled)
        self.keys_panel.key_file_chosen.connect(self.on_keys_panel_key_file_chosen)
        self.keys_panel.key_file_cleared.connect(self.on_keys_panel_key_file_cleared)
        self.keys_panel.unlock_clicked.connect(self.on_keys_panel_unlock_clicked)
        self.keys_panel.retry_clicked.connect(self.on_keys_panel_retry_clicked)
        self.ctx.changed.connect(self.on_ctx_changed)
        self.revocation.row_changed.connect(self.refresh)
        self.findings_view.finding_selected.connect(self.on_findings_view_finding_selected)
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        self.claims_model.modelReset.connect(self.on_claims_model_model_reset)

    # -- public API -------------------------------------------------------------------------

    def set_token(self, text: str) -> None:
        """Put ``text`` in the token field as if pasted (it is inspected at once)."""
        self.token_edit.setPlainText(text)

    def focus_token(self) -> None:
        """Ctrl+L: focus the token field with its text selected, ready for a paste."""
        self.token_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.token_edit.selectAll()

    def load_key_file(self, path: str) -> None:
        self.keys_panel.file_edit.setText(path)
        self.source.load_file(path)

    # -- the live update --------------------------------------------------------------------

    def _locate(self, text: str) -> Span | None:
        return self.picker.locate(text)

    def refresh(self) -> None:
        """Extract, inspect with the cached keys, and show: what every keystroke runs."""
        text = self.token_edit.toPlainText()
        extraction, found = self.picker.current(text)
        self.extraction, self.extracted = extraction, found
        self.sources_panel.show_for(self.picker.har, extraction, found)
        if found is None:
            self._show_empty()
            if extraction.writes:
                self._show_code_findings(extraction)
            return
        self._show_extracted(found, extraction, trimmed=len(found.token) < len(text))
        expect = self.expect_form.expectations()
        if expect.at is None:
            expect = expect._replace(at=datetime.now(UTC))
        expect = expect._replace(retired=self.source.retired_kids())
        report = inspect(found.token, self.source.candidates(), expect)
        report = with_transport(report, found, extraction, expect.preset)
        code = storage_findings(extraction.writes)
        if code:
            report = report._replace(findings=(*report.findings, *code))
        row = self.revocation.row_for(found.token)
        if row is not None:  # a connection is chosen: is the token revoked there?
            from jwtdesk.services.revocation import with_row

            report = with_row(report, row)
        self.report = report
        kid = report.token.header.get("kid") if report.token.header else None
        self.source.request(report.token.alg, kid)
        note = self.source.note(report.token.alg, kid)
        self._show_report(report, adjusted_checks(report.checks, note), note)
        self._show_keys_status()

    def _show_empty(self) -> None:
        self.report = None
        self.extracted_label.hide()
        self.legend.set_segments(())
        self.results_stack.setCurrentIndex(0)
        self.checks_model.set_checks(())
        self.claims_model.clear()
        self.findings_model.set_findings(())
        self.lifetime_bar.set_lifetime(None)
        self.verdict.show_empty()
        self._json_key = None
        self.json_view.clear()
        self._show_keys_status()

    def _show_extracted(self, found: Found, extraction: Extraction, *, trimmed: bool) -> None:
        index = extraction.found.index(found)
        wrapped = found.source.wrapped or len(extraction.found) > 1
        if wrapped:
            self.extracted_label.setText(describe(found, extraction, index))
        elif trimmed:  # issue 12: the trim is input handling, and said
            self.extracted_label.setText(
                "The whitespace around the pasted token was trimmed: it is not part of the token."
            )
        self.extracted_label.setVisible(wrapped or trimmed)
        self.legend.set_segments(found.token.split(".") if found.token.count(".") < 9 else ())

    def _show_report(self, report: Report, checks: tuple[Check, ...], note: str | None) -> None:
        token = report.token
        self.results_stack.setCurrentIndex(1)
        self.checks_model.set_checks(checks)
        self._fit_checks()
        jwe_note = "encrypted (JWE): jwtdesk never decrypts" if token.is_jwe else ""
        self.claims_model.set_token(
            (token.header_bytes, token.header),
            (token.payload_bytes, token.claims),
            report.as_of,
            jwe_note,
        )
        self.findings_model.set_findings(report.findings)
        count = len(report.findings)
        travel = sum(f.location == "transport" for f in report.findings)
        about = f", {travel} on how it travelled" if travel else ""
        self.findings_title.setText(f"Findings ({count}{about})" if count else "Findings")
        self.findings_view.placeholder = "No findings: nothing to warn about."
        self.lifetime_bar.set_lifetime(
            Lifetime.from_claims(
                token.claims,
                float(int(report.as_of.timestamp())),  # to the second: fewer repaints
                report.leeway.total_seconds(),
                self.expect_form.live,
            )
        )
        self.verdict.show_report(report, checks, note)
        if self.tabs.currentWidget() is self.json_view:
            self._show_json()

    def _fit_checks(self) -> None:
        reasons = tuple(c.reason for c in self.checks_model.checks())
        self._fitted = fit_checks(self.checks_view, self.results_splitter, reasons, self._fitted)

    def _show_json(self) -> None:
        report = self.report
        if report is None:
            return
        key = (report.token.header_bytes, report.token.payload_bytes)
        if key == self._json_key:
            return
        self._json_key = key
        self.json_view.setPlainText(json_text(report))

    def _show_keys_status(self) -> None:
        alg = self.report.token.alg if self.report else None
        header = self.report.token.header if self.report else None
        kid = header.get("kid") if header else None
        text, unlock, retry = keys_status(self.source, alg, kid, self.ctx.locked)
        self.keys_panel.set_status(text, unlock=unlock, retry=retry)
        error = self.source.file_error
        if error is not None:
            # Whatever the file's defect, the GUI's remedy is the kinds of key file it reads.
            reason = for_people(error, default=Fix.GIVE_HMAC_KEY)
            self._file_banner = f"The key file cannot be used: {reason}."
            self.banner.show_error(self._file_banner)
        elif self._file_banner is not None:
            if self.banner.isVisible() and self.banner.text == self._file_banner:
                self.banner.hide()  # only its own words: another error shown since stays
            self._file_banner = None

    def refresh_keysets(self) -> None:
        """Fill the keyset checklist from the index; unchecked keysets stay unchecked."""
        unchecked = self.keys_panel.unchecked()
        self.keys_panel.set_keysets(list(self.source.keysets().values()), unchecked)
        self._apply_selection()

    def _apply_selection(self) -> None:
        unchecked = self.keys_panel.unchecked()
        names = [n for n in self.source.keysets() if n not in unchecked]
        self.source.select(None if not unchecked else names)

    # -- slots ------------------------------------------------------------------------------

    def on_token_edit_text_changed(self) -> None:
        text = self.token_edit.toPlainText()
        if text != self._shown_text:  # re-colouring emits textChanged with the same text
            self._shown_text = text
            self.refresh()

    def on_expect_form_expectations_changed(self) -> None:
        self.refresh()

    def on_source_candidates_changed(self) -> None:
        self.refresh()

    def on_keys_panel_keysets_toggled(self) -> None:
        self._apply_selection()

    def on_keys_panel_unlock_clicked(self) -> None:
        self.ctx.set_locked(False)  # CandidateSource reads the keys again for this token

    def on_keys_panel_retry_clicked(self) -> None:
        self.source.retry()

    def on_keys_panel_key_file_chosen(self, path: str) -> None:
        self.source.load_file(path)

    def on_keys_panel_key_file_cleared(self) -> None:
        self.source.clear_file()

    def on_ctx_changed(self, change: Change) -> None:
        if change.touches(Kind.KEYSETS):  # profiles and connections do not concern it
            self.on_ctx_keysets_changed()

    def on_ctx_keysets_changed(self) -> None:
        self.refresh_keysets()

    def on_claims_model_model_reset(self) -> None:
        for row in range(self.claims_model.rowCount()):
            self.claims_view.expand(self.claims_model.index(row, 0))

    def on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.json_view:
            self._show_json()

    def on_findings_view_finding_selected(self, location: str) -> None:
        index = self.claims_model.index_for_location(location)
        if not index.isValid():
            self.claims_view.clearSelection()
            return
        self.tabs.setCurrentWidget(self.claims_view)
        parent = index.parent()
        while parent.isValid():
            self.claims_view.expand(parent)
            parent = parent.parent()
        self.claims_view.setCurrentIndex(index)
        self.claims_view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def on_tick_timeout(self) -> None:
        if self.expect_form.live and self.extracted is not None:
            self.expect_form.tick()
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._tick.start()
        if self.source.reload_index():  # keysets made or rotated elsewhere (the CLI)
            self.refresh_keysets()
        self.revocation.reload()  # connections added in the Revocation view or the CLI

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._tick.stop()

    def selected_claim_path(self) -> str | None:
        index: QModelIndex = self.claims_view.currentIndex()
        return str(index.data(ClaimsModel.PathRole)) if index.isValid() else None
