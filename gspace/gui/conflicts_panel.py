"""The conflicts panel: the open conflicts (a field two laptops changed at once, or a row one
deleted while another edited it) in a list, and the competing values of the chosen one side by
side, each with who wrote it and when and a button that keeps it; another value can be typed.

It shows what gspace.conflict_list makes of the engine's conflicts (the same as `gspace
conflicts`); settling is done by the window (MainWindow.settle_conflict), which refreshes the
map and the list and keeps the settlement for undo.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gspace.conflict_list import Choice, ShownConflict, value_text
from gspace.gui.i18n import current_language
from gspace.gui.labels import categories_label, label, severity_label, status_label
from gspace.model import CATEGORIES, REPORT_STATUSES, SEVERITIES

ID_ROLE = Qt.ItemDataRole.UserRole
_VOCABULARY = {  # report fields whose values have names: (values, how one is named)
    "status": (REPORT_STATUSES, status_label),
    "severity": (SEVERITIES, severity_label),
    "category": (CATEGORIES, categories_label),
}


def field_label(tbl: str, field: str) -> str:
    """A field as the window names it elsewhere (状態, 重要度...); a key of a JSON column as
    it is (attributes.capacity)."""
    return label("column", field, current_language()) if "." not in field else field


def shown_value(tbl: str, field: str, value) -> str:
    if tbl == "reports" and field in _VOCABULARY and isinstance(value, str):
        return _VOCABULARY[field][1](value)
    return value_text(value)


class ValueCard(QFrame):
    """One competing value: the value, who and when, and the button that keeps it."""

    def __init__(self, conflict: ShownConflict, choice: Choice, format_time, parent=None):
        super().__init__(parent)
        self.choice = choice
        self.setObjectName(f"valueCard{choice.number}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        if choice.deleted:
            text = self.tr("Deleted")
        elif isinstance(choice.value, dict):  # the edit of a "delete" record: its fields
            text = "\n".join(
                f"{field_label(conflict.tbl, k)}: {shown_value(conflict.tbl, k, v)}"
                for k, v in choice.value.items()
            )
        else:
            text = shown_value(conflict.tbl, conflict.field, choice.value)
        self.value_label = QLabel(f"{choice.number}. {text}")
        self.value_label.setWordWrap(True)
        self.value_label.setTextFormat(Qt.TextFormat.PlainText)  # untrusted text
        font = self.value_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.value_label.setFont(font)
        if choice.deleted:
            who = self.tr("deleted by %1").replace("%1", choice.who())
        else:
            who = self.tr("by %1").replace("%1", choice.who())
        self.who_label = QLabel(who)
        self.who_label.setTextFormat(Qt.TextFormat.PlainText)
        self.who_label.setWordWrap(True)
        self.when_label = QLabel(format_time(choice.at))
        if choice.deleted:
            button_text = self.tr("Keep it deleted")
        elif conflict.kind == "delete":
            button_text = self.tr("Restore with this value")
        else:
            button_text = self.tr("Take this value")
        self.take_button = QPushButton(button_text)
        self.take_button.setObjectName(f"take{choice.number}")
        for widget in (self.value_label, self.who_label, self.when_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.take_button)


class ConflictsPanel(QWidget):
    """`takeRequested(conflict id, number)` and `valueRequested(conflict id, text)` ask the
    window to settle; `show(conflicts)` fills the panel (after every load and settlement)."""

    takeRequested = Signal(str, int)
    valueRequested = Signal(str, str)
    rowRequested = Signal(str, str)  # table, row id: show it on the map and in the details

    def __init__(self, format_time, parent=None):
        super().__init__(parent)
        self.format_time = format_time
        self.conflicts: list[ShownConflict] = []
        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.list.setWordWrap(True)  # the field, then the report: whole, however narrow
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.itemDoubleClicked.connect(lambda *_: self._request_row())
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.cards_box = QWidget()
        self.cards = QHBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards_box)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.other_label = QLabel()
        self.other_value = QComboBox()
        self.other_value.setEditable(True)
        self.other_value.setObjectName("otherValue")
        self.other_button = QPushButton()
        self.other_button.setObjectName("useOtherValue")
        self.other_button.clicked.connect(self._use_other)
        self.other_row = QWidget()
        other = QHBoxLayout(self.other_row)
        other.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.other_label, 0), (self.other_value, 1)):
            other.addWidget(widget, stretch)
        other.addWidget(self.other_button)
        self.error_label = QLabel()
        self.error_label.setObjectName("conflictError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 0, 0, 0)
        detail.addWidget(self.heading)
        detail.addWidget(scroll, 1)
        detail.addWidget(self.other_row)
        detail.addWidget(self.error_label)
        # the list beside the values: the dock opens under the map, wider than it is tall
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(split, 1)
        self.retranslate()
        self.show_conflicts([])

    def retranslate(self) -> None:
        self.empty_label.setText(self.tr("No open conflicts."))
        self.other_label.setText(self.tr("Another value:"))
        self.other_button.setText(self.tr("Use this value"))
        self.show_conflicts(self.conflicts)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "list"):
            self.retranslate()
        super().changeEvent(event)

    # -- filling ---------------------------------------------------------------------------
    def show_conflicts(self, conflicts: list[ShownConflict]) -> None:
        """Show `conflicts`, keeping the one chosen if it is still there."""
        current = self.current()
        self.conflicts = conflicts
        self.list.blockSignals(True)
        self.list.clear()
        for c in conflicts:
            what = self.tr("(deleted elsewhere)") if c.kind == "delete" else None
            item = QListWidgetItem(f"{what or field_label(c.tbl, c.field)}\n{c.row}")
            item.setData(ID_ROLE, c.id)
            item.setToolTip(c.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [c.id for c in conflicts]
        row = ids.index(current.id) if current and current.id in ids else 0
        if conflicts:
            self.list.setCurrentRow(row)
        self.empty_label.setVisible(not conflicts)
        self._show_current()

    def current(self) -> ShownConflict | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(ID_ROLE)
        return next((c for c in self.conflicts if c.id == wanted), None)

    def select(self, conflict_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == conflict_id:
                self.list.setCurrentRow(row)

    def show_error(self, text: str) -> None:
        """Why the chosen value was refused (one line; nothing was changed)."""
        self.error_label.setText(text)
        self.error_label.show()

    def _show_current(self) -> None:
        self.error_label.hide()
        while self.cards.count():
            widget = self.cards.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        conflict = self.current()
        self.detail.setVisible(conflict is not None)
        if conflict is None:
            return
        what = {"reports": self.tr("Report"), "features": self.tr("Feature")}.get(
            conflict.tbl, self.tr("Layer")
        )
        if conflict.kind == "delete":
            explain = self.tr("deleted on one laptop while edited on another")
        else:
            laptops = len(conflict.choices)  # a plain name: lupdate sees the count
            explain = self.tr("changed on %n laptop(s) at once", "", laptops)
        self.heading.setText(
            f"{what} {conflict.row}\n{field_label(conflict.tbl, conflict.field)}: {explain}"
        )
        for choice in conflict.choices:
            card = ValueCard(conflict, choice, self.format_time)
            card.take_button.clicked.connect(
                lambda _=False, c=conflict.id, n=choice.number: self.takeRequested.emit(c, n)
            )
            self.cards.addWidget(card, 1)
        self.other_row.setVisible(conflict.kind != "delete")  # a delete: one of its values
        self.other_value.clear()
        vocabulary = _VOCABULARY.get(conflict.field) if conflict.tbl == "reports" else None
        if vocabulary:
            for value in vocabulary[0]:
                self.other_value.addItem(vocabulary[1](value), value)
        self.other_value.setCurrentIndex(-1)
        self.other_value.setEditText("")

    def _use_other(self) -> None:
        conflict = self.current()
        if conflict is None:
            return
        text = self.other_value.currentText().strip()
        index = self.other_value.findText(text)
        if index >= 0 and self.other_value.itemData(index) is not None:
            text = self.other_value.itemData(index)  # a named value: its identifier
        self.valueRequested.emit(conflict.id, text)

    def _request_row(self) -> None:
        conflict = self.current()
        if conflict is not None:
            self.rowRequested.emit(conflict.tbl, conflict.row_id)
