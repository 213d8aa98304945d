"""The detail panel: the selected report's photo, text, time, status and origin.

Every text from posts and files is shown as plain text (never interpreted as HTML).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gspace.catalog import LayerKind
from gspace.gui.labels import (
    categories_label,
    feature_status_label,
    kind_label,
    layer_title,
    location_source_label,
    severity_label,
    status_label,
)


def _plain(text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DetailPanel(QScrollArea):
    FIELDS = ("time", "kind", "category", "status", "severity", "location", "author", "source")

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.photo = QLabel()
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setMinimumHeight(0)
        self.title = _plain()
        self.title.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.text = _plain()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values = {name: _plain() for name in self.FIELDS}
        self.names = {name: QLabel() for name in self.FIELDS}
        for name in self.FIELDS:
            self.form.addRow(self.names[name], self.values[name])
        layout.addWidget(self.photo)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setWidget(body)
        self.retranslate()
        self.clear()

    def retranslate(self) -> None:
        names = {
            "time": self.tr("Time"),
            "kind": self.tr("Kind"),
            "category": self.tr("Category"),
            "status": self.tr("Status"),
            "severity": self.tr("Severity"),
            "location": self.tr("Location"),
            "author": self.tr("Author"),
            "source": self.tr("Source"),
        }
        for key, label in self.names.items():
            label.setText(names[key])

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        self.photo.clear()
        self.photo.hide()
        self.title.setText(self.tr("Select a report on the map or in the list."))
        self.text.setText("")
        for value in self.values.values():
            value.setText("")

    def format_time(self, iso: str | None) -> str:
        if not iso:
            return ""
        return datetime.fromisoformat(iso).astimezone(self.zone).strftime("%Y-%m-%d %H:%M %Z")

    def _set_photo(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.photo.setPixmap(pixmap)
            self.photo.show()
        else:
            self.photo.clear()
            self.photo.hide()

    def show_report(self, report: dict, thumbnail: bytes | None) -> None:
        self._set_photo(thumbnail)
        self.title.setText(f"{kind_label(report['kind'])} — {status_label(report['status'])}")
        self.text.setText(report.get("text") or "")
        location = location_source_label(report["location_source"])
        if report.get("lat") is not None:
            accuracy = f" ±{report['accuracy_m']:.0f} m" if report.get("accuracy_m") else ""
            location = f"{report['lat']:.6f}, {report['lon']:.6f}{accuracy} ({location})"
        values = {
            "time": self.format_time(report.get("observed_at")),
            "kind": kind_label(report["kind"]),
            "category": categories_label(report.get("category")),
            "status": status_label(report["status"]),
            "severity": severity_label(report.get("severity")),
            "location": location,
            "author": report.get("author") or "",
            "source": report.get("source") or "",
        }
        for key, value in values.items():
            self.values[key].setText(value)

    def show_feature(self, feature: dict, kind: LayerKind | None) -> None:
        self._set_photo(None)
        self.title.setText(feature.get("name") or "")
        extra = [f"{k}: {v}" for k, v in (feature.get("attributes") or {}).items()]
        self.text.setText(
            "\n".join([feature.get("address") or "", feature.get("note") or "", *extra]).strip()
        )
        for value in self.values.values():
            value.setText("")
        self.values["kind"].setText(layer_title(kind) if kind else feature["kind"])
        self.values["status"].setText(feature_status_label(kind, feature.get("status")))
        if feature.get("lat") is not None:
            self.values["location"].setText(f"{feature['lat']:.6f}, {feature['lon']:.6f}")
        self.values["source"].setText(feature.get("source") or "")
