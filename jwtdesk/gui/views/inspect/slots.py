"""The Inspect view's slots for dropped files, the token list and pasted code (a mixin of
:class:`~jwtdesk.gui.views.inspect.view.InspectView`, kept apart so the view module stays small).

A dropped file is read in the TaskRunner: a HAR file's tokens are listed (its text is never
shown or kept), any other file is inspected as if pasted.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QLabel, QStackedWidget

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.extract import Extraction
from jwtdesk.core.lint_transport import storage_findings
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.inspect import FindingsModel
from jwtdesk.gui.views.inspect.sources import SourcesPanel, TokenPicker
from jwtdesk.gui.views.inspect.verdict import VerdictLabel
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.services.tokens import read_input


class SourcesSlots:
    ctx: AppContext
    banner: Banner
    picker: TokenPicker
    sources_panel: SourcesPanel

    extracted_label: QLabel
    results_stack: QStackedWidget
    findings_model: FindingsModel
    findings_title: QLabel
    verdict: VerdictLabel

    def set_token(self, text: str) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def on_token_edit_file_dropped(self, path: str) -> None:
        """A dropped file, read in the TaskRunner: a HAR lists its tokens; any other file is
        inspected as if pasted."""

        def failed(exc: JwtdeskError) -> None:
            self.banner.show_error(str(exc))

        self.banner.hide()
        self.ctx.runner.run(
            partial(read_input, path), self.on_file_read, failed, label="Reading the file"
        )

    def on_file_read(self, result: tuple[str, Extraction | None]) -> None:
        text, har = result
        if har is None:
            self.set_token(text)
        else:
            self.show_har(har)

    def show_har(self, har: Extraction) -> None:
        """List a HAR's tokens and inspect the first; the HAR text itself is never shown."""
        self.picker.har = har
        if not har.found:
            self.banner.show_error(
                f"No token in {har.har} ({har.entries} entries): record the HAR while signing "
                "in or calling the API, with 'Preserve log' on."
            )
        self.set_token(har.found[0].token if har.found else "")
        self.refresh()

    def on_sources_panel_token_chosen(self, row: int) -> None:
        found = self.sources_panel.model.found()[row]
        if self.picker.har is not None and found in self.picker.har.found:
            self.set_token(found.token)
        else:
            self.picker.chosen = found.token
            self.refresh()

    def on_sources_panel_closed(self) -> None:
        self.picker.har = None
        self.set_token("")

    def _show_code_findings(self, extraction: Extraction) -> None:
        """Pasted code that stores tokens in web storage, with no token to inspect."""
        findings = storage_findings(extraction.writes)
        about = "findings about the code below" if findings else "nothing to say about the code"
        self.extracted_label.setText(f"No token in the pasted code: {about}.")
        self.extracted_label.setVisible(True)
        if findings:
            self.results_stack.setCurrentIndex(1)
            self.findings_model.set_findings(findings)
            self.findings_title.setText(f"Findings ({len(findings)}, about the code)")
            self.verdict.show_code()
