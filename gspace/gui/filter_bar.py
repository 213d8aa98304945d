"""The filters above the reports list: text search (the FTS index), municipality, kind,
category, status and location. They narrow what the layer panel shows; the timeline adds the
time window."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QToolButton, QWidget

from gspace.gui.forms import set_choices
from gspace.gui.labels import category_label, kind_label, location_source_label, status_label
from gspace.model import CATEGORIES, REPORT_KINDS, REPORT_STATUSES
from gspace.municipalities import by_code
from gspace.store.query import NOTHING, ReportFilter

SEARCH_DELAY_MS = 250  # wait for a pause in typing before searching


class FilterBar(QWidget):
    """Emits `changed` when any filter changes."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.kind, self.category, self.status, self.located = (QComboBox() for _ in range(4))
        # the municipalities the incident's reports lie in (and each city with wards, whole)
        self.municipality = QComboBox()
        self.municipality.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self._municipality_counts: dict[str, int] = {}
        self.clear_button = QToolButton()
        self.clear_button.clicked.connect(self.clear)
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(self.search, 0, 0, 1, 3)
        grid.addWidget(self.municipality, 0, 3)
        grid.addWidget(self.clear_button, 0, 4)
        for column, box in enumerate((self.kind, self.category, self.status, self.located)):
            grid.addWidget(box, 1, column, 1, 2 if column == 3 else 1)
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._typing.start())
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search text and authors"))
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Show every report again"))
        options = {
            self.kind: [(self.tr("All kinds"), None)] + [(kind_label(k), k) for k in REPORT_KINDS],
            self.category: [(self.tr("All categories"), None)]
            + [(category_label(c), c) for c in CATEGORIES],
            self.status: [(self.tr("All statuses"), None)]
            + [(status_label(s), s) for s in REPORT_STATUSES],
            self.located: [
                (self.tr("Located or not"), None),
                (self.tr("Located"), True),
                (location_source_label("none"), False),
            ],
        }
        for box, items in options.items():
            set_choices(box, items)
        self._fill_municipalities()

    def set_municipalities(self, counts: dict[str, int]) -> None:
        """The choice of municipalities: those of `counts` (code -> reports), by code; a city
        with wards also as a whole. The current choice is kept."""
        self._municipality_counts = dict(counts)
        self._fill_municipalities()

    def _fill_municipalities(self) -> None:
        known = by_code() if self._municipality_counts else {}
        found = sorted(
            ((known[c], n) for c, n in self._municipality_counts.items() if c in known),
            key=lambda pair: pair[0].code,
        )
        names = [m.name for m, _ in found]
        items: list[tuple[str, object]] = [(self.tr("All municipalities"), None)]
        cities: dict[str, list] = {}
        for m, count in found:
            if m.city:
                cities.setdefault(m.prefecture + m.city, []).append((m, count))
        for m, count in found:
            wards = cities.get(m.prefecture + (m.city or ""), [])
            if len(wards) > 1 and wards[0][0] == m:  # the city first, then its wards
                whole = self.tr("%1 (all wards)").replace("%1", m.city)
                codes = ",".join(w.code for w, _ in wards)
                items.append((f"{whole} ({sum(n for _, n in wards)})", codes))
            name = m.qualified if names.count(m.name) > 1 else m.name
            items.append((f"{name} ({count})", m.code))
        set_choices(self.municipality, items, self.municipality.currentData())

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        for box in (self.kind, self.category, self.status, self.located, self.municipality):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.changed.emit()

    def choose(self, **choices) -> None:
        """Set filters by value (kind, category, status, located, search) and apply them at
        once, as one change."""
        boxes = {"kind": self.kind, "category": self.category, "status": self.status}
        boxes["located"], boxes["municipality"] = self.located, self.municipality
        self.blockSignals(True)
        for name, value in choices.items():
            if name == "search":
                self.search.setText(value)
                self._typing.stop()
            else:
                boxes[name].setCurrentIndex(boxes[name].findData(value))
        self.blockSignals(False)
        self.changed.emit()

    def narrow(self, filt: ReportFilter) -> ReportFilter:
        """`filt` (what the layer panel shows) narrowed by these filters."""
        located = self.located.currentData()
        return replace(
            filt,
            kinds=_narrow(filt.kinds, self.kind.currentData()),
            categories=_narrow(filt.categories, self.category.currentData()),
            statuses=_narrow(filt.statuses, self.status.currentData()),
            located=filt.located if located is None else located,
            search=self.search.text().strip() or None,
            municipalities=(self.municipality.currentData() or "").split(",")
            if self.municipality.currentData()
            else filt.municipalities,
        )


def _narrow(values: list[str], choice: str | None) -> list[str]:
    """A filter list ([] is all) narrowed to one chosen value."""
    if choice is None:
        return values
    return [choice] if not values or choice in values else [NOTHING]
