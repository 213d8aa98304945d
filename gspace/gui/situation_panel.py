"""A feature's live situation in the detail panel: its status, note and every field of its kind
(for a shelter: evacuees, capacity, crowding, each need with its urgency, the person in charge,
their contact, the time of the last report), each editable on its own, and a small chart of the
evacuee count over time.

Each change is emitted as one edit `{field: value}` (typed as the kind says: "1,200" for an
integer field is 1200); the window writes it through the core and keeps it for Undo, as it does
for a report's triage. A value that does not fit its field is refused here, said in the panel,
and nothing is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gspace import shelters
from gspace.catalog import LayerKind
from gspace.errors import GspaceError
from gspace.gui.forms import set_choices
from gspace.gui.i18n import current_language
from gspace.gui.labels import feature_status_label

# fields that are columns of their own, not situation
NOT_SITUATION = ("name", "address")
# fields the core sets on each change (shelters.set_situation): shown, not typed
AUTOMATIC = ("reported_at",)


class EvacueeChart(QWidget):
    """Evacuees over time as a step line, with the capacity as a dashed line: drawn with
    QPainter (a few dozen points; no plotting library needed for that)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: list[tuple[datetime, int]] = []
        self.capacity: int | None = None
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_series(self, points: list[tuple[datetime, int]], capacity: int | None) -> None:
        self.points, self.capacity = sorted(points), capacity
        self.setVisible(bool(points))
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        top_value = max([v for _, v in self.points] + [self.capacity or 0, 1])
        left = metrics.horizontalAdvance(str(top_value)) + 6
        area = QRectF(left, 6, self.width() - left - 8, self.height() - 12 - metrics.height())
        start, end = self.points[0][0], self.points[-1][0]
        span = max((end - start).total_seconds(), 1.0)

        def at(moment: datetime, value: float) -> QPointF:
            x = area.left() + area.width() * (moment - start).total_seconds() / span
            return QPointF(x, area.bottom() - area.height() * value / top_value)

        painter.setPen(QPen(QColor("#9e9e9e"), 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        painter.setPen(QColor("#424242"))
        painter.drawText(
            QRectF(0, area.top() - 6, left - 4, metrics.height()),
            Qt.AlignmentFlag.AlignRight,
            str(top_value),
        )
        painter.drawText(
            QRectF(0, area.bottom() - metrics.height() + 4, left - 4, metrics.height()),
            Qt.AlignmentFlag.AlignRight,
            "0",
        )
        below = area.bottom() + 2
        painter.drawText(
            QRectF(area.left(), below, area.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            f"{start:%m/%d %H:%M}",
        )
        if end != start:
            painter.drawText(
                QRectF(area.left(), below, area.width(), metrics.height()),
                Qt.AlignmentFlag.AlignRight,
                f"{end:%m/%d %H:%M}",
            )
        if self.capacity:
            pen = QPen(QColor("#ef6c00"), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            y = at(start, self.capacity).y()
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        path = QPainterPath(at(*self.points[0]))
        for (moment, value), (_, previous) in zip(self.points[1:], self.points, strict=False):
            path.lineTo(at(moment, previous))
            path.lineTo(at(moment, value))
        path.lineTo(QPointF(area.right(), at(start, self.points[-1][1]).y()))
        painter.setPen(QPen(QColor("#1565c0"), 2))
        painter.drawPath(path)
        painter.setBrush(QColor("#1565c0"))
        for moment, value in self.points:
            painter.drawEllipse(at(moment, value), 2.5, 2.5)
        painter.end()


class SituationPanel(QWidget):
    """`edited(feature id, {field: value})`: one field changed by the user (status, note or an
    attribute, typed)."""

    edited = Signal(str, dict)

    def __init__(self, zone: tzinfo | None = None, parent=None):
        super().__init__(parent)
        self.zone = zone or UTC  # the incident's: times are shown in it, as everywhere
        self.shown: dict[str, str] = {}  # what each line edit was filled with
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b71c1c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.chart_title = QLabel()
        self.chart_title.setStyleSheet("font-weight: bold; margin-top: 4px;")
        self.chart = EvacueeChart()
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart)
        self.editors: dict[str, QWidget] = {}
        self.kind: LayerKind | None = None
        self.feature: dict = {}
        self.retranslate()

    # -- showing --------------------------------------------------------------------------
    def show_feature(
        self, feature: dict, kind: LayerKind, history: list[tuple[datetime, int]] = ()
    ) -> None:
        """Fill the form with `feature` (a row of query.features); `history` is its evacuee
        count over time, oldest first."""
        rebuild = self.kind is None or self.kind != kind
        self.kind, self.feature = kind, feature
        if rebuild:
            self._build()
        self.problem.hide()
        self._fill()
        counts = list(history)
        self.chart.set_series(counts, (feature.get("attributes") or {}).get("capacity"))
        self.chart_title.setVisible(bool(counts))

    def _build(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self.labels: dict[str, QLabel] = {}
        names = ["status", *(f for f in self.kind.fields if f not in NOT_SITUATION), "note"]
        for name in names:
            field_type = self.kind.field_type(name).type if name not in ("status", "note") else ""
            if name == "status" or field_type == "choice":
                editor = QComboBox()
                editor.activated.connect(lambda _i, n=name: self._commit(n))
            else:
                editor = QLineEdit()
                editor.setReadOnly(name in AUTOMATIC)
                editor.editingFinished.connect(lambda n=name: self._commit(n))
            editor.setObjectName(f"situation_{name}")
            label = QLabel()
            self.labels[name] = label
            self.editors[name] = editor
            self.form.addRow(label, editor)
        self.retranslate()

    def _fill(self) -> None:
        for name, editor in self.editors.items():
            value = self.value_of(name)
            if isinstance(editor, QComboBox):
                found = editor.findData(value)
                if found < 0 and value is not None:  # a value the kind does not know
                    editor.addItem(str(value), value)
                    found = editor.count() - 1
                editor.setCurrentIndex(max(0, found))
            else:
                self.shown[name] = self.text_of(name, value)
                editor.setText(self.shown[name])
                editor.setPlaceholderText(self._placeholder(name))

    def text_of(self, name: str, value) -> str:
        """A value as its line edit shows it: a date and time ("2026-11-30T02:03:42+00:00", as
        reported_at is stored) in the incident's zone, "2026-11-30 11:03 JST"."""
        if value is None:
            return ""
        text = str(value)
        if name != "note" and "T" in text and shelters.parse_time(text, self.zone) is not None:
            return shelters.time_text(text, self.zone)
        return text

    def value_of(self, name: str):
        if name in ("status", "note"):
            return self.feature.get(name)
        return (self.feature.get("attributes") or {}).get(name)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Situation"))
        self.chart_title.setText(self.tr("Evacuees over time"))
        if not self.kind:
            return
        for name, label in getattr(self, "labels", {}).items():
            label.setText(field_label(name))
            editor = self.editors[name]
            if isinstance(editor, QComboBox):
                if name == "status":
                    items = [
                        (feature_status_label(self.kind, s.id), s.id) for s in self.kind.statuses
                    ]
                else:
                    items = [("—", None)] + [
                        (choice_label(c), c) for c in self.kind.field_type(name).choices
                    ]
                set_choices(editor, items, self.value_of(name))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.feature:
                self._fill()
        super().changeEvent(event)

    def _placeholder(self, name: str) -> str:
        kind = self.kind.field_type(name).type if name not in ("status", "note") else "text"
        if name == "reported_at":
            return self.tr("set when a change is saved")
        return {
            "integer": self.tr("a whole number, e.g. 800"),
            "number": self.tr("a number"),
            "date": self.tr("a date, e.g. 2024-09-01"),
        }.get(kind, "")

    # -- editing --------------------------------------------------------------------------
    def _commit(self, name: str) -> None:
        """One field changed: parse it as its type says and emit it, or say why not."""
        if not self.feature:
            return
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            value = editor.currentData()
        else:
            text = editor.text()
            if name in AUTOMATIC or text == self.shown.get(name):
                self.problem.hide()
                return  # unchanged (a time shown in the incident's zone is not a new value)
            try:
                value = self.kind.field_type(name).parse(name, text) if name != "note" else text
            except GspaceError as e:
                self.problem.setText(str(e))
                self.problem.show()
                return
            value = value.strip() if isinstance(value, str) else value
            value = None if value == "" else value
        self.problem.hide()
        if value == self.value_of(name):
            return
        self.edited.emit(self.feature["id"], {name: value})

    def set_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


FIELD_LABELS = {  # the situation fields of the built-in kinds
    "status": QT_TRANSLATE_NOOP("Situation", "Status"),
    "note": QT_TRANSLATE_NOOP("Situation", "Note"),
    "capacity": QT_TRANSLATE_NOOP("Situation", "Capacity"),
    "evacuees": QT_TRANSLATE_NOOP("Situation", "Evacuees now"),
    "crowding": QT_TRANSLATE_NOOP("Situation", "Crowding"),
    "need_water": QT_TRANSLATE_NOOP("Situation", "Need: water"),
    "need_food": QT_TRANSLATE_NOOP("Situation", "Need: food"),
    "need_blankets": QT_TRANSLATE_NOOP("Situation", "Need: blankets"),
    "need_medical": QT_TRANSLATE_NOOP("Situation", "Need: medical care"),
    "need_toilets": QT_TRANSLATE_NOOP("Situation", "Need: toilets"),
    "need_power": QT_TRANSLATE_NOOP("Situation", "Need: power"),
    "need_other": QT_TRANSLATE_NOOP("Situation", "Other needs"),
    "manager": QT_TRANSLATE_NOOP("Situation", "Person in charge"),
    "contact": QT_TRANSLATE_NOOP("Situation", "Contact"),
    "reported_at": QT_TRANSLATE_NOOP("Situation", "Last report"),
    "hazards": QT_TRANSLATE_NOOP("Situation", "Hazards"),
    "phone": QT_TRANSLATE_NOOP("Situation", "Phone"),
    "hours": QT_TRANSLATE_NOOP("Situation", "Hours"),
    "supply_method": QT_TRANSLATE_NOOP("Situation", "Supply method"),
}


def field_label(name: str) -> str:
    """A field's name in the window's language; a field a city added is shown as it is."""
    english = FIELD_LABELS.get(name)
    return QCoreApplication.translate("Situation", english) if english else name


def choice_label(value: str) -> str:
    """A crowding or urgency word in the window's language (the core's table, as exports)."""
    return shelters.label(value, current_language())
