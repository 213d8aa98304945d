"""The detail panel: the selected report's photo, text, time, status and origin.

Every text from posts and files is shown as plain text (never interpreted as HTML).
"""

from __future__ import annotations

import html
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gspace.catalog import LayerKind
from gspace.gui.forms import set_choices
from gspace.gui.labels import (
    categories_label,
    category_label,
    feature_status_label,
    kind_label,
    layer_title,
    local_time,
    location_source_label,
    severity_label,
    status_label,
)
from gspace.gui.photo_view import PhotoView
from gspace.gui.situation_panel import SituationPanel
from gspace.model import CATEGORIES, REPORT_STATUSES, SEVERITIES, categories_of
from gspace.refs import ref


def _plain(text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DetailPanel(QScrollArea):
    """`reportEdited(id, fields)` fires when the user changes a report's status, category,
    severity or note; a feature's situation is edited in `situation` (its `edited` signal)."""

    reportEdited = Signal(str, dict)
    historyRequested = Signal()  # the report's or feature's every change (gui/history_actions)

    FIELDS = (
        "ref",
        "time",
        "kind",
        "category",
        "status",
        "severity",
        "location",
        "municipality",
        "author",
        "source",
        "link",
        "placed",
        "reposts",
        "camera",
        "altitude",
        "direction",
        "time_source",
        "pixels",
        "nearest",
    )

    def __init__(self, zone: tzinfo, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.photo = PhotoView()
        self.title = _plain()
        self.title.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.text = _plain()
        self.hint = _plain()
        self.hint.setStyleSheet("color: #b71c1c;")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values = {name: _plain() for name in self.FIELDS}
        # the post's address as a link: built from escaped text, http(s) only
        self.values["link"].setTextFormat(Qt.TextFormat.RichText)
        self.values["link"].setOpenExternalLinks(True)
        self.values["link"].setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.names = {name: QLabel() for name in self.FIELDS}
        for name in self.FIELDS:
            self.form.addRow(self.names[name], self.values[name])
        layout.addWidget(self.photo)
        layout.addWidget(self.title)
        layout.addWidget(self._triage_editor())
        layout.addWidget(self.text)
        layout.addWidget(self.hint)
        # who changed the report, right under it: what a second analyst checks first
        self.history_title = QLabel()
        self.history_title.setStyleSheet("font-weight: bold; margin-top: 4px;")
        self.history = _plain()
        self.history.setStyleSheet("font-size: 11px;")
        layout.addWidget(self.history_title)
        layout.addWidget(self.history)
        self.history_button = QPushButton()
        self.history_button.clicked.connect(self.historyRequested)
        self.history_button.hide()
        layout.addWidget(self.history_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(self.form)
        # a feature's status, note and every field of its kind, each change an undoable edit
        self.situation = SituationPanel(zone)
        layout.addWidget(self.situation)
        self.situation.hide()
        self._feature_id: str | None = None
        self._report_id: str | None = None
        self.exif_title = QLabel()
        self.exif_title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.exif = _plain()
        self.exif.setStyleSheet("font-size: 11px; color: #424242;")
        layout.addWidget(self.exif_title)
        layout.addWidget(self.exif)
        layout.addStretch(1)
        self.setWidget(body)
        self.retranslate()
        self.clear()

    def _triage_editor(self) -> QWidget:
        """Status, category, severity and note of the shown report; each change is an edit."""
        self.triage = QWidget()
        grid = QGridLayout(self.triage)
        grid.setContentsMargins(0, 0, 0, 0)
        self.triage_boxes = {
            "status": QComboBox(),
            "category": QComboBox(),
            "severity": QComboBox(),
        }
        for column, (name, box) in enumerate(self.triage_boxes.items()):
            grid.addWidget(box, 0, column)
            box.activated.connect(lambda _i, n=name: self._edit_report(n))
        self.report_note = QLineEdit()
        self.report_note.editingFinished.connect(lambda: self._edit_report("note"))
        grid.addWidget(self.report_note, 1, 0, 1, 3)
        self.triage.hide()
        return self.triage

    def _fill_triage_boxes(self) -> None:
        choices = {
            "status": [(status_label(s), s) for s in REPORT_STATUSES],
            "category": [(self.tr("No category"), None)]
            + [(category_label(c), c) for c in CATEGORIES],
            "severity": [(self.tr("No severity"), None)]
            + [(severity_label(s), s) for s in SEVERITIES],
        }
        for name, items in choices.items():
            set_choices(self.triage_boxes[name], items)

    def _edit_report(self, name: str) -> None:
        if not self._report_id:
            return
        if name == "note":
            value = self.report_note.text().strip() or None
            if value == self._note:
                return
            self._note = value
        else:
            value = self.triage_boxes[name].currentData()
            if name == "category" and value is not None and self._categories:
                # choosing a category puts it first (the map colours by the first) and keeps
                # the others a report was given
                value = ",".join([value, *(c for c in self._categories if c != value)])
        self.reportEdited.emit(self._report_id, {name: value})

    def retranslate(self) -> None:
        self._fill_triage_boxes()
        self.report_note.setPlaceholderText(self.tr("Note (who checked, what was done)"))
        self.history_title.setText(self.tr("History"))
        self.history_button.setText(self.tr("All changes and restoring…"))
        names = {
            "ref": self.tr("Ref"),
            "time": self.tr("Time"),
            "kind": self.tr("Kind"),
            "category": self.tr("Category"),
            "status": self.tr("Status"),
            "severity": self.tr("Severity"),
            "location": self.tr("Location"),
            "municipality": self.tr("Municipality"),
            "author": self.tr("Author"),
            "source": self.tr("Source"),
            "link": self.tr("Post"),
            "placed": self.tr("Placed by"),
            "reposts": self.tr("Reposts"),
            "camera": self.tr("Camera"),
            "altitude": self.tr("Altitude"),
            "direction": self.tr("Direction"),
            "time_source": self.tr("Time from"),
            "pixels": self.tr("Pixels"),
            "nearest": self.tr("Nearest open"),
        }
        for key, label in self.names.items():
            label.setText(names[key])
        self.exif_title.setText(self.tr("EXIF as read"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        self._report_id = self._feature_id = None
        self.triage.hide()
        self.history_title.hide()
        self.history.hide()
        self.history_button.hide()
        self.situation.hide()
        self.photo.clear()
        self.photo.hide()
        self.title.setText(self.tr("Select a report on the map or in the list."))
        self._fill({})

    def _fill(
        self, values: dict[str, str], text: str = "", hint: str = "", exif: dict | None = None
    ) -> None:
        """Set the form; rows without a value are hidden, and so is an empty EXIF list."""
        lines = [f"{tag}: {value}" for tag, value in sorted((exif or {}).items())]
        self.exif.setText("\n".join(lines))
        self.exif.setVisible(bool(lines))
        self.exif_title.setVisible(bool(lines))
        self.text.setText(text)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        for key, label in self.values.items():
            label.setText(values.get(key, ""))
            self.form.setRowVisible(label, bool(values.get(key)))

    def format_time(self, iso: str | None) -> str:
        return local_time(iso, self.zone)

    def show_report(
        self,
        report: dict,
        thumbnail: bytes | None = None,
        original: Path | None = None,
        media: dict | None = None,
        nearest: list[str] | None = None,
        history: list[dict] | None = None,
    ) -> None:
        self._show_triage(report, history or [])
        self._feature_id = None
        self.history_button.show()
        self.situation.hide()
        if report["media"]:
            self.photo.show()
            self.photo.show_photo(report["id"], thumbnail, original)
        else:
            self.photo.clear()
            self.photo.hide()
        self.title.setText(f"{kind_label(report['kind'])} — {status_label(report['status'])}")
        location = location_source_label(report["location_source"])
        if report.get("lat") is not None:
            accuracy = f" ±{report['accuracy_m']:.0f} m" if report.get("accuracy_m") else ""
            location = f"{report['lat']:.6f}, {report['lon']:.6f}{accuracy} ({location})"
        properties = report.get("properties") or {}
        values = {
            "ref": ref(report["id"]),
            "time": self.format_time(report.get("observed_at")),
            "kind": kind_label(report["kind"]),
            "category": categories_label(report.get("category")),
            "status": status_label(report["status"]),
            "severity": severity_label(report.get("severity")),
            "location": location,
            "municipality": municipality_text(report),
            "author": " ".join(
                filter(None, (report.get("author"), _bracketed(properties.get("author_name"))))
            ),
            "source": report.get("source") or "",
            "link": link_html(properties.get("url")),
            "placed": self.placed_text(report),
            "reposts": str(properties["reposts"]) if properties.get("reposts") else "",
            "camera": " ".join(filter(None, (properties.get("make"), properties.get("model")))),
            "altitude": (f"{properties['altitude']:.1f} m" if "altitude" in properties else ""),
            "direction": (
                f"{properties['direction']:.0f}° {compass(properties['direction'])}"
                if "direction" in properties
                else ""
            ),
            "time_source": properties.get("time_source", ""),
            "pixels": f"{media['width']} × {media['height']}" if media else "",
            "nearest": "\n".join(nearest or []),
        }
        hint = (
            ""
            if report.get("lat") is not None
            else self.tr(
                "No location yet: press P and click the map, or drag the report from the list onto "
                "the map."
            )
        )
        self._fill(values, report.get("text") or "", hint, media["exif"] if media else None)

    def _show_triage(self, report: dict, history: list[dict]) -> None:
        self._report_id, self._note = report["id"], report.get("note")
        self._categories = categories_of(report.get("category")) if report.get("category") else []
        values = {
            "status": report["status"],
            "category": self._categories[0] if self._categories else None,
            "severity": report.get("severity"),
        }
        for name, box in self.triage_boxes.items():
            box.setCurrentIndex(max(0, box.findData(values[name])))
        self.report_note.setText(self._note or "")
        self.triage.show()
        self.history.setText("\n".join(self.history_line(e) for e in history))
        self.history.setVisible(bool(history))
        self.history_title.setVisible(bool(history))

    def history_line(self, entry: dict) -> str:
        """One change: when, who, and what it set, from what (in the window's words)."""
        fields, prior, parts = entry["fields"], entry["prior"], []
        if entry["op"] == "insert":
            parts.append(self.tr("added"))
        elif entry["op"] == "delete":
            parts.append(self.tr("deleted"))
        else:
            described = (  # field, its name, its value in words
                ("status", self.tr("status"), status_label),
                ("category", self.tr("category"), lambda v: categories_label(v) or "—"),
                ("severity", self.tr("severity"), lambda v: severity_label(v) or "—"),
                ("note", self.tr("note"), lambda v: f"“{v}”" if v else "—"),
            )
            parts += [
                f"{name} {say(prior[key]) + ' ' if key in prior else ''}→ {say(fields[key])}"
                for key, name, say in described
                if key in fields
            ]
            if "lat" in fields:
                parts.append(self.tr("moved"))
            properties = fields.get("properties")
            if isinstance(properties, str) and "duplicate_of" in properties:
                parts.append(self.tr("marked as a duplicate"))
            if "media" in fields:
                parts.append(self.tr("merged with duplicates"))
        who = f" {entry['actor']}" if entry["actor"] else ""
        return f"{entry['at']:%m/%d %H:%M}{who}: " + ", ".join(parts or ["—"])

    def placed_text(self, report: dict) -> str:
        """Why a post is where it is on the map (or why it is not placed)."""
        properties = report.get("properties") or {}
        source = report.get("location_source")
        if source == "post":
            return self.tr("the coordinates in the post")
        if source == "place":
            return self.tr("the centre of the place it was tagged with: %1").replace(
                "%1", properties.get("place", "?")
            )
        if source == "geoparsed":
            return self.tr("a place named in its text: %1").replace(
                "%1", properties.get("place_name", "?")
            )
        return properties.get("location_note", "")

    def show_feature(
        self, feature: dict, kind: LayerKind | None, history: list | None = None
    ) -> None:
        """Show a reference feature with its situation editable (`history`: its evacuee count
        over time, for the chart)."""
        self._feature_id = feature["id"]
        self._report_id = None
        self.triage.hide()
        self.history.hide()
        self.history_title.hide()
        self.history_button.show()
        if kind is not None:
            self.situation.show_feature(feature, kind, history or [])
        self.situation.setVisible(kind is not None)
        self.photo.clear()
        self.photo.hide()
        self.title.setText(feature.get("name") or "")
        attributes = feature.get("attributes") or {}
        shown = set(kind.fields) if kind else set()
        extra = [  # what the form does not show: a file's other columns
            f"{k}: {v}"
            for k, v in attributes.items()
            if not k.startswith("_") and k not in shown  # "_...": the import's bookkeeping
        ]
        text = "\n".join([feature.get("address") or "", *extra])
        values = {
            "ref": ref(feature["id"]),
            "kind": layer_title(kind) if kind else feature["kind"],
            "status": feature_status_label(kind, feature.get("status")),
            "location": (
                f"{feature['lat']:.6f}, {feature['lon']:.6f}"
                if feature.get("lat") is not None
                else ""
            ),
            "municipality": municipality_text(feature),
            # every file the feature came from (a re-import from another format adds one)
            "source": ", ".join(attributes.get("_sources") or ()) or feature.get("source") or "",
        }
        self._fill(values, text.strip())

    def shown_feature_id(self) -> str | None:
        return self._feature_id


def municipality_text(row: dict) -> str:
    """熊本県熊本市東区 (43102): the municipality a report or feature lies in, with its code."""
    name = row.get("municipality")
    return f"{name} ({row['muni_code']})" if name else ""


def _bracketed(text: str | None) -> str:
    return f"({text})" if text else ""


def link_html(url: str | None) -> str:
    """A clickable link for an http(s) address, every character escaped; nothing else."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return ""
    escaped = html.escape(url, quote=True)
    return f'<a href="{escaped}">{escaped}</a>'


def compass(degrees: float) -> str:
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[round(degrees / 45) % 8]
