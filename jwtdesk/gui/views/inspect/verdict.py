"""The verdict above the checks, and the words for what the candidate keys are doing.

A verdict says "Valid" only when the signature row passed and no row failed; a skipped
signature check reads "Not verified", never a pass.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from jwtdesk.core.inspect import Cause, Check, Report
from jwtdesk.core.keyfile import Candidate
from jwtdesk.gui.models.inspect_text import CHECK_TITLES
from jwtdesk.gui.views.inspect.keys import LOADING_NOTE, CandidateSource

_STYLES = {
    "valid": "rgba(46, 125, 50, 0.16)",
    "invalid": "rgba(211, 47, 47, 0.16)",
    "unverified": "rgba(239, 143, 0, 0.18)",
    "empty": "transparent",
}


def adjusted_checks(checks: tuple[Check, ...], note: str | None) -> tuple[Check, ...]:
    """The signature row says why stored keys were not tried (locked, loading, unreadable)."""
    if note is None:
        return checks
    out = []
    for check in checks:
        if check.name == "signature" and check.cause is Cause.NO_KEY:
            check = check._replace(reason=note)  # noqa: PLW2901 - the row, restated
        elif check.name == "signature" and check.cause is Cause.KEYS_TRIED:
            reason = f"{check.reason}; stored keysets not tried: {note}"
            check = check._replace(reason=reason)  # noqa: PLW2901
        out.append(check)
    return tuple(out)


def verified_by_text(c: Candidate) -> str:
    if c.source == "keyset":
        state = f", {c.state} key" if c.state else ""
        return f"keyset {c.keyset} (kid {c.kid}{state})"
    if c.source == "secret":
        return f"the secret in {c.label}"
    return f"key file {c.label}" + (f" (kid {c.kid})" if c.kid else "")


class VerdictLabel(QLabel):
    """The verdict on top: valid (and by which key), not valid (and why), or not verified."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdict")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Verdict")
        self.state = ""
        self.plain = ""
        self.show_empty()

    def _set(self, state: str, title: str, detail: str) -> None:
        plain = f"{title} — {detail}" if detail else title
        if (state, plain) == (self.state, self.plain):
            return  # most keystrokes: nothing to restyle or re-layout
        if state != self.state or not self.styleSheet():
            self.setStyleSheet(
                f"#verdict {{ background: {_STYLES[state]}; border-radius: 4px; padding: 6px; }}"
            )
        self.state, self.plain = state, plain
        self.setText(f"<b>{escape(title)}</b><br>{escape(detail)}")
        self.setAccessibleDescription(plain)

    def show_empty(self) -> None:
        self._set("empty", "No token", "Paste a token (Ctrl+L) to inspect it.")

    def show_code(self) -> None:
        self._set("empty", "No token", "The pasted code stores tokens: see the findings below.")

    def show_report(self, report: Report, checks: tuple[Check, ...], note: str | None) -> None:
        at = report.as_of.strftime("%Y-%m-%d %H:%M:%S UTC")
        context = f"As of {at}, leeway {report.leeway.total_seconds():g} s."
        failed = [c for c in checks if c.status == "failed"]
        signature = next((c for c in checks if c.name == "signature"), None)
        waiting = next((c for c in checks if c.name == "revoked" and c.status == "skipped"), None)
        if waiting is not None and not failed:  # never "Valid" before Redis has answered
            self._set("unverified", f"⚠ Not yet known — revocation: {waiting.reason}", context)
            return
        if report.valid and report.verified_by is not None:
            who = verified_by_text(report.verified_by)
            self._set("valid", f"✔ Valid — verified by {who}", context)
        elif failed:
            first = failed[0]
            more = f" (and {len(failed) - 1} more failed check(s))" if len(failed) > 1 else ""
            title = f"✘ Not valid — {CHECK_TITLES.get(first.name, first.name)}: {first.reason}"
            self._set("invalid", title + more, context)
        else:
            reason = signature.reason if signature else "no signature check"
            self._set("unverified", f"⚠ Not verified — signature skipped: {reason}", context)


def keys_status(
    source: CandidateSource, alg: str | None, kid: object, locked: bool
) -> tuple[str, bool, bool]:
    """(text, show Unlock, show Try again) for the Verify-with panel."""
    note = source.note(alg, kid)
    file_part = ""
    if source.file_loading:
        file_part = " Reading the key file…"
    elif source.file_locked:
        file_part = " Key file: its HMAC key is read again after Unlock."
    elif source.key_file():
        count = len(source.file_candidates())
        file_part = f" Key file: {count} key(s)."
    selected = source.selected()
    if locked:
        return "Keyring locked — Unlock to verify with stored keysets." + file_part, True, False
    if source.keyset_error:
        return f"Could not read the keysets: {source.keyset_error}" + file_part, False, True
    if note == LOADING_NOTE:
        return "Reading keys from the keyring…" + file_part, False, False
    if not source.keysets():
        return "No stored keysets." + file_part, False, False
    if alg is None:
        text = f"{len(selected)} keyset(s) selected; keys are read when a token needs them."
        return text + file_part, False, False
    wanted = source.targets(alg, kid)
    if not wanted:
        text = f"{len(selected)} keyset(s) selected; none uses alg {alg[:20]!r}"
        text += f" with kid {str(kid)[:40]!r}." if isinstance(kid, str) else "."
        return text + file_part, False, False
    text = f"{len(selected)} keyset(s) selected; {len(wanted)} for this token's alg and kid, read."
    return text + file_part, False, False
