"""Where the inspected token came from: the list of tokens found in pasted text or a dropped HAR
file (choose one to inspect it), and the sentence saying where the chosen one was found.

Tokens are listed masked after their header (``mask_token``); nothing here is persisted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.extract import Extraction, Found, extract_all, mask_token, preference
from jwtdesk.gui.tokenview import Span, span_of

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_R = Qt.ItemDataRole
COLUMNS = ("Token", "Found in", "Places", "Hosts")


def places(found: Found) -> str:
    return str(len(found.sources))


def hosts(found: Found) -> str:
    names = sorted({s.host for s in found.sources if s.host})
    return ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")


_VIA = {
    "bearer": "Authorization: Bearer",
    "cookie": "Cookie {name}",
    "set-cookie": "Set-Cookie {name}",
    "url": "URL {part} {name}",
    "body": "body {name}",
    "header": "header {name}",
}


def found_in(found: Found) -> str:
    """Where a token was first seen, short enough for a column."""
    s = found.source
    if s.kind != "har":
        return s.where
    label = _VIA.get(s.via or "", s.via or "?").format(name=s.name or "", part=s.part or "")
    return f"{s.method or ''} {' '.join(label.split())}".strip()


def short_mask(token: str) -> str:
    """The mask with the header cut to 14 characters: the dots stay in sight."""
    head = token.split(".", 1)[0].strip()
    return mask_token(token) if len(head) <= 14 else f"{head[:14]}….••••••••"


def describe(found: Found, extraction: Extraction, index: int) -> str:
    """One or two sentences on where the chosen token was found, for the label over the list."""
    count = len(extraction.found)
    if extraction.har is not None:
        sent = [s for s in found.sources if s.sent]
        to = f" to {hosts(found)}" if hosts(found) else ""
        return (
            f"Token {index + 1} of {count} in {extraction.har}: seen in {len(found.sources)} "
            f"request(s) or response(s), sent in {len(sent)}{to}."
        )
    s = found.source
    text = f"Token taken from {s.where}"
    if s.start >= 0:
        text += f" (characters {s.start + 1} to {s.end})"
    text += "."
    if count > 1:
        text = f"{count} tokens found; inspecting number {index + 1}. " + text
    if s.split:
        text += (
            " It runs across a line break, which the parser reports: rejoin the lines if "
            "copying added the break."
        )
    return text


class TokenPicker:
    """Which token of the input is inspected: a dropped HAR's token when the field holds one,
    else the one chosen from the list, else the likeliest (a Bearer before a loose one).
    Extraction is memoised: the highlighter and the refresh ask for the same text."""

    def __init__(self) -> None:
        self.har: Extraction | None = None  # a dropped HAR file's tokens, until closed
        self.chosen: str | None = None  # the token picked from the list, if any
        self._memo: tuple[str, Extraction] = ("", Extraction(()))

    def extract(self, text: str) -> Extraction:
        if text != self._memo[0]:
            self._memo = (text, extract_all(text))
        return self._memo[1]

    def current(self, text: str) -> tuple[Extraction, Found | None]:
        if self.har is not None:
            stripped = text.strip()
            for found in self.har.found:
                if found.token == stripped:
                    return self.har, found
        extraction = self.extract(text)
        if not extraction.found:
            return extraction, None
        chosen = next((f for f in extraction.found if f.token == self.chosen), None)
        if chosen is None:
            chosen = min(extraction.found, key=lambda f: min(preference(s) for s in f.sources))
        return extraction, chosen

    def locate(self, text: str) -> Span | None:
        """Where the inspected token is in ``text``, for the segment colours."""
        _, found = self.current(text)
        if found is None:
            return None
        source = found.source
        if source.start < 0 or text[source.start : source.end] != found.token:
            stripped = text.strip()
            lead = len(text) - len(text.lstrip())
            return span_of(stripped, lead) if stripped == found.token else None
        return span_of(found.token, source.start)


class FoundTokensModel(QAbstractTableModel):
    """The tokens of one input: masked token, where first found, how many places, hosts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._found: tuple[Found, ...] = ()

    def set_found(self, found: Sequence[Found]) -> None:
        new = tuple(found)
        if new == self._found:
            return
        self.beginResetModel()
        self._found = new
        self.endResetModel()

    def found(self) -> tuple[Found, ...]:
        return self._found

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._found)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = _R.DisplayRole
    ) -> Any:
        if role == _R.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = _R.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._found):
            return None
        found = self._found[index.row()]
        if role in (_R.DisplayRole, _R.ToolTipRole, _R.AccessibleTextRole):
            column = index.column()
            if column == 0:
                return short_mask(found.token)
            if column == 1:
                return found_in(found)
            if column == 2:
                return places(found)
            return hosts(found) if column == 3 else None
        return None


class SourcesPanel(QWidget):
    """The tokens found, shown when there are several or when a HAR file was dropped."""

    token_chosen = Signal(int)  # a row of the list
    closed = Signal()  # "Close HAR": back to the pasted text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = FoundTokensModel(self)
        self._quiet = False
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.close_button = QPushButton("Close &HAR")
        self.close_button.setToolTip("Forget the HAR file's tokens and go back to pasting")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Tokens found")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        width = self.fontMetrics().horizontalAdvance("x")
        for column, chars in enumerate((27, 30, 7)):
            self.table.setColumnWidth(column, width * chars)
        self.table.setMinimumHeight(self.fontMetrics().height() * 7)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().currentRowChanged.connect(self.on_selection_current_row_changed)
        self.close_button.clicked.connect(self.closed)
        self.hide()

    def show_found(self, found: Sequence[Found], title: str, *, har: bool) -> None:
        self.model.set_found(found)
        self.title.setText(title)
        self.close_button.setVisible(har)
        self.show()

    def show_for(self, har: Extraction | None, extraction: Extraction, found: Found | None) -> None:
        """The list of tokens: a HAR's (until closed), or the pasted text's when several."""
        if har is not None:
            title = f"{len(har.found)} token(s) in {har.har} ({har.entries} entries). Choose one."
            self.show_found(har.found, title, har=True)
        elif len(extraction.found) > 1:
            title = f"{len(extraction.found)} tokens in the pasted text. Choose one."
            self.show_found(extraction.found, title, har=False)
        else:
            self.hide()
            return
        if found is not None and found in self.model.found():
            self.select(self.model.found().index(found))

    def select(self, row: int) -> None:
        """Mark ``row`` as the one inspected, without announcing it."""
        current = self.table.currentIndex()
        if current.isValid() and current.row() == row:
            return
        self._quiet = True
        try:
            self.table.selectRow(row)
        finally:
            self._quiet = False

    def on_selection_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        if current.isValid() and not self._quiet:
            self.token_chosen.emit(current.row())
