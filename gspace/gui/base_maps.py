"""View → Base map: the choice of tiles under the map, adding MBTiles files, and preparing an
area for offline use."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from gspace.gui.background_import import BackgroundImport
from gspace.gui.forms import load_form, set_choices
from gspace.gui.i18n import current_language
from gspace.gui.tile_scheme import chosen_base_map, tile_service, url_template
from gspace.tiles import TileCache, TileStore

NONE = "none"


class BaseMapMenu(QObject):
    """Emits `chosen(id)` when the base map changes ("none": the outline only)."""

    chosen = Signal(str)

    def __init__(self, window, menu: QMenu):
        super().__init__(window)
        self.window, self.menu = window, menu
        self.service = tile_service(window.settings)
        self.current = chosen_base_map(window.settings)
        self.service.changed.connect(self.rebuild)
        self.jobs: list[BackgroundImport] = []
        self.rebuild()

    def rebuild(self) -> None:
        self.menu.clear()
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for name, source_id in self.choices_named():
            action = QAction(name, self, checkable=True)
            action.setChecked(source_id == self.current)
            action.triggered.connect(lambda _=False, s=source_id: self.choose(s))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[source_id] = action
        self.menu.addSeparator()
        self.add_action = self.menu.addAction(self.tr("Add an MBTiles base map…"), self._add)
        self.prepare_action = self.menu.addAction(
            self.tr("Prepare offline area…"), self.open_prepare_dialog
        )

    def choices_named(self) -> list[tuple[str, str]]:
        """(name, id) of every base map, the outline only first."""
        sources = self.service.store.sources.values()
        return [(self.tr("Outline only (no tiles)"), NONE)] + [
            (s.name(current_language()), s.id) for s in sources
        ]

    def info(self, source_id: str) -> dict | None:
        source = self.service.store.sources.get(source_id)
        if source is None:
            return None
        return {
            "id": source.id,
            "url": url_template(source.id),
            "attribution": source.attribution,
            "minZoom": source.min_zoom,
            "maxZoom": source.max_zoom,
        }

    def choose(self, source_id: str) -> None:
        """Show `source_id` under the map and remember it."""
        if source_id != NONE and source_id not in self.service.store.sources:
            source_id = NONE  # a base map that is gone (an MBTiles file removed)
        self.current = source_id
        self.window.settings.setValue("basemap/current", source_id)
        if source_id in self.actions:
            self.actions[source_id].setChecked(True)
        self.window.map.set_base_map(self.info(source_id))
        self.chosen.emit(source_id)

    def _add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Add an MBTiles base map"), "", "MBTiles (*.mbtiles *.MBTILES)"
        )
        if path:
            self.add_mbtiles(path)

    def add_mbtiles(self, path: str) -> str | None:
        """Add and show an MBTiles file (remembered for next time)."""
        source_id = self.service.add_mbtiles(path)
        if source_id is None:
            QMessageBox.warning(self.window, self.tr("Base map"), self.service.errors[-1])
            return None
        files = list(self.window.settings.value("basemap/mbtiles", []) or [])
        if path not in files:
            self.window.settings.setValue("basemap/mbtiles", [*files, path])
        self.choose(source_id)
        return source_id

    # -- offline area -------------------------------------------------------------------------
    def open_prepare_dialog(self) -> None:
        self.window.map.bounds(lambda view: self.prepare_dialog(view).show())

    def prepare_dialog(self, view: tuple[float, float, float, float]):
        """The form for an area (the map's view or all reports), a zoom range and a base map,
        with the count and size of what it would download."""
        form = load_form("offline_area", self.window)
        web = [s for s in self.service.store.sources.values() if s.url]
        set_choices(form.sourceBox, [(s.name(current_language()), s.id) for s in web], self.current)
        form.areaBox.addItem(self.tr("The map's current view"), view)
        extent = self.window.report_set.extent()
        if extent:
            form.areaBox.addItem(self.tr("Every located report"), extent)
        zoom = self.window.map_zoom()
        form.zoomFrom.setValue(max(0, zoom - 2))
        form.zoomUntil.setValue(min(18, zoom + 2))

        def estimate() -> None:
            total, missing, size = self.service.store.estimate(*self.choices(form).values())
            if size == 0 and missing:
                text = self.tr("%1 tiles: too many, choose fewer zoom levels").replace(
                    "%1", f"{total:,}"
                )
            else:
                text = self.tr("%1 tiles, %2 to download (about %3 MB)")
                text = text.replace("%1", f"{total:,}").replace("%2", f"{missing:,}")
                text = text.replace("%3", f"{size / 2**20:.1f}")
            form.estimateValue.setText(text)

        for signal in (
            form.sourceBox.currentIndexChanged,
            form.areaBox.currentIndexChanged,
            form.zoomFrom.valueChanged,
            form.zoomUntil.valueChanged,
        ):
            signal.connect(lambda *_: estimate())
        estimate()
        form.accepted.connect(lambda: self.prepare(**self.choices(form)))
        return form

    @staticmethod
    def choices(form) -> dict:
        low, high = sorted((form.zoomFrom.value(), form.zoomUntil.value()))
        return {
            "source_id": form.sourceBox.currentData(),
            "bbox": tuple(form.areaBox.currentData()),
            "zooms": range(low, high + 1),
        }

    def prepare(self, source_id: str, bbox, zooms: range) -> BackgroundImport:
        """Download in the background, with progress and Cancel; returns the running job."""
        cache, sources = self.service.store.cache, self.service.store.sources

        def work(_incident, progress, cancelled):
            # a store of its own in the worker thread: SQLite connections stay in one thread
            store = TileStore(TileCache(cache.path, cache.cap_bytes), sources)
            try:
                return store.prepare(
                    source_id, bbox, zooms, lambda d, t: progress(d, t, ""), cancelled
                )
            finally:
                store.cache.close()

        job = BackgroundImport(
            self.window,
            None,
            work,
            self.tr("Prepare offline area"),
            self.tr("Downloading tiles…"),
            self.describe,
        )
        job.done.connect(lambda _result: self.jobs.remove(job))
        self.jobs.append(job)
        job.start()
        return job

    def describe(self, result: dict) -> tuple[str, str]:
        text = self.tr("%1 of %2 tiles are kept for offline use.").replace(
            "%1", f"{result['fetched'] + result['kept']:,}"
        )
        text = text.replace("%2", f"{result['total']:,}")
        if result["stopped"] == "cancelled":
            text += " " + self.tr("Stopped: prepare the same area again to fetch the rest.")
        elif result["stopped"] == "offline":
            text += " " + self.tr("The tile server did not answer: try again when online.")
        details = self.tr("Downloaded: %1, already kept: %2, not available: %3")
        for n, key in enumerate(("fetched", "kept", "failed"), start=1):
            details = details.replace(f"%{n}", f"{result[key]:,}")
        return text, details
