"""Shelter operations in the window: the situation edits of the detail panel (written through
`gspace.shelters.set_situation`, kept on the window's undo stack), the HQ overview dock, the
map's occupancy colours and urgent-need badges, and the nearest shelters with room.

After an edit only the edited shelter is read again: its row in the overview, the totals, its
point on the map and the panel follow without reading the other shelters.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu

from gspace import mapdata, shelters
from gspace.errors import GspaceError
from gspace.gui.i18n import current_language
from gspace.gui.labels import layer_title
from gspace.gui.review_actions import EditCommand
from gspace.gui.shelter_map import legend_section, restyle
from gspace.gui.shelters_dock import DEFAULT_STALE_HOURS, SheltersDock
from gspace.municipalities import name_of
from gspace.nearest import distance_text
from gspace.store import query

Edit = dict  # {"id": feature id, "status"?: str, "fields"?: {key: value}, "note"?: str | None}


class ShelterActions(QObject):
    """`refreshed(ms)` after the overview followed an edit (how long the refresh took)."""

    refreshed = Signal(float)

    def __init__(self, window):
        super().__init__(window)
        self.window, self.incident = window, window.incident
        self.settings = window.settings
        self.dock = SheltersDock()
        self.states: dict[str, shelters.ShelterState] = {}
        self.dock.set_stale_hours(
            int(self.settings.value("shelters/stale_hours", DEFAULT_STALE_HOURS))
        )
        self.dock.staleChanged.connect(self._stale_changed)
        self.dock.shelterSelected.connect(self._row_chosen)
        self.occupancy_action = QAction(self, checkable=True)
        self.occupancy_action.setChecked(
            self.settings.value("shelters/by_occupancy", False, type=bool)
        )
        self.occupancy_action.toggled.connect(self._occupancy_toggled)
        self.last_refresh_ms = 0.0

    def retranslate(self) -> None:
        self.occupancy_action.setText(self.tr("Colour shelters by &occupancy"))
        self.dock.retranslate()

    @property
    def by_occupancy(self) -> bool:
        return self.occupancy_action.isChecked()

    def stale_hours(self) -> int:
        return self.dock.stale_box.value()

    # -- reading --------------------------------------------------------------------------
    def reload(self) -> None:
        """Every shelter again (a window opening, an import)."""
        kind = self.window.catalog.get(shelters.KIND)
        view = shelters.overview(
            self.incident, stale_hours=self.stale_hours(), catalog=self.window.catalog
        )
        self.now = view.now
        self.states = {s.id: s for s in view.shelters}
        self.dock.set_rows(view.shelters, self._totals(), kind)

    def _totals(self) -> list[dict]:
        """The incident's totals, then each municipality's (by code)."""
        by_municipality, total = shelters.totals(self.states.values())
        lines = [
            {
                "municipality": None,
                "open": total.open,
                "evacuees": total.evacuees,
                "free": total.free,
            }
        ]
        for code in sorted(by_municipality, key=lambda c: c or "~"):
            sums = by_municipality[code]
            lines.append(
                {
                    "municipality": (name_of(code) if code else None) or "—",
                    "open": sums.open,
                    "evacuees": sums.evacuees,
                    "free": sums.free,
                }
            )
        return lines

    def feature_layer(self, features: list[dict]) -> dict:
        """The map's feature points, shelters styled by occupancy and badged as chosen."""
        return restyle(
            mapdata.feature_points(features, self.window.catalog), self.states, self.by_occupancy
        )

    def legend(self) -> list[dict]:
        kind = self.window.catalog.get(shelters.KIND)
        if kind is None or not self.states:
            return []
        return [legend_section(kind.shape, kind.color, self.by_occupancy)]

    def refresh(self, feature_id: str) -> None:
        """One feature was written: its row, the totals, its point and the panel follow."""
        started = time.perf_counter()
        feature = query.feature(self.incident, feature_id)
        window = self.window
        if feature is None:
            return
        window.replace_feature(feature)
        if feature["kind"] == shelters.KIND:
            state = shelters.shelter_state(
                feature,
                datetime.now(self.incident.timezone),
                self.stale_hours(),
                shelters.need_keys(window.catalog.get(shelters.KIND)),
            )
            self.states[feature_id] = state
            self.dock.update_rows([state], self._totals())
        self.last_refresh_ms = (time.perf_counter() - started) * 1000
        self.refreshed.emit(self.last_refresh_ms)
        if window.map.ready:
            window.map.patch_layer("features", self.feature_layer([feature]), [])
        else:
            window.map.set_layer("features", self.feature_layer(window.features))
        window.show_feature_again(feature_id)

    # -- editing --------------------------------------------------------------------------
    def write(self, edit: Edit) -> Edit:
        """Write `edit` and return the edit that puts back what it replaced."""
        feature_id = edit["id"]
        note = edit.get("note")
        undo = shelters.set_situation(
            self.incident,
            feature_id,
            status=edit.get("status"),
            fields=edit.get("fields"),
            note=("" if note is None else note) if "note" in edit else None,
            catalog=self.window.catalog,
        )
        inverse: Edit = {"id": feature_id, **undo}
        self.refresh(feature_id)
        return inverse if len(inverse) > 1 else {}

    def edit(self, feature_id: str, changes: dict) -> bool:
        """A change made in the panel ({field: value}): written now, undoable."""
        edit: Edit = {"id": feature_id}
        for name, value in changes.items():
            if name in ("status", "note"):
                edit[name] = value
            else:
                edit.setdefault("fields", {})[name] = value
        try:
            inverse = self.write(edit)
        except GspaceError as e:
            self.window.detail.situation.set_problem(str(e))
            return False
        if inverse:
            feature = self.window.features_by_id.get(feature_id) or {}
            text = self.tr("Change the situation of %1").replace("%1", feature.get("name") or "?")
            self.window.review.stack.push(EditCommand(self.write, text, inverse))
        return True

    def history(self, feature_id: str) -> list[tuple[datetime, int]]:
        """The feature's evacuee count over time (for the panel's chart)."""
        points = []
        for when, value in shelters.history(self.incident, feature_id, "evacuees"):
            moment = shelters.parse_time(when, self.incident.timezone)
            if moment is not None and isinstance(value, int | float):
                points.append((moment, int(value)))
        return points

    # -- overview and options ---------------------------------------------------------------
    def _stale_changed(self, hours: int) -> None:
        self.settings.setValue("shelters/stale_hours", hours)

    def _row_chosen(self, shelter_id: str) -> None:
        self.window.select_feature(shelter_id)

    def _occupancy_toggled(self, on: bool) -> None:
        self.settings.setValue("shelters/by_occupancy", on)
        self.window.map.set_layer("features", self.feature_layer(self.window.features))
        self.window._send_legend()

    # -- nearest with room ------------------------------------------------------------------
    def nearest_lines(self, lon: float, lat: float, limit: int = 3) -> list[str]:
        """The nearest open shelters that are not full, with their distance and free places
        (as the report panel's nearest places say them)."""
        lines = []
        for state, metres in self.nearest_with_room(lon, lat, limit):
            line = f"{state.name or '?'} — {distance_text(metres)}"
            if state.free is not None:
                line += f" ({shelters.label('free', current_language())} {state.free})"
            lines.append(line)
        return lines

    def nearest_with_room(self, lon: float, lat: float, limit: int) -> list[tuple]:
        """(ShelterState, metres) of the `limit` nearest shelters with room."""
        import heapq
        import math

        from gspace.geo import distance_m

        squeeze = math.cos(math.radians(lat)) ** 2  # a degree of longitude is shorter
        candidates = heapq.nsmallest(  # by a flat approximation, then measured properly
            limit * 4,
            (s for s in self.states.values() if s.has_room and s.lon is not None),
            key=lambda s: (s.lat - lat) ** 2 + (s.lon - lon) ** 2 * squeeze,
        )
        found = [(s, distance_m(lon, lat, s.lon, s.lat)) for s in candidates]
        return sorted(found, key=lambda pair: pair[1])[:limit]

    def context_menu(self, lat: float, lon: float) -> QMenu:
        """The map's right-click menu at (lat, lon)."""
        menu = QMenu(self.window)
        action = menu.addAction(self.tr("Nearest shelters with room here"))
        action.triggered.connect(lambda: self.show_nearest(lat, lon))
        return menu

    def open_context_menu(self, lat: float, lon: float) -> None:
        self.menu = self.context_menu(lat, lon)
        self.window.deletes.add_feature_items(self.menu, lat, lon)  # delete, history
        self.menu.popup(QCursor.pos())

    def show_nearest(self, lat: float, lon: float) -> list[str]:
        lines = self.nearest_lines(lon, lat)
        kind = self.window.catalog.get(shelters.KIND)
        title = self.tr("Nearest shelters with room")
        if kind is not None:
            title = f"{title} ({layer_title(kind)})"
        self.window.map.show_info(
            lat, lon, {"title": title, "lines": lines or [self.tr("No open shelter with room.")]}
        )
        return lines
