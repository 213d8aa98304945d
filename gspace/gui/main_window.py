"""The main window: map and timeline in the centre, layer panel, reports list (with its
filters) and detail panel in docks."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gspace import __version__, mapdata, triage
from gspace.catalog import incident_catalog
from gspace.errors import GspaceError
from gspace.gui import i18n
from gspace.gui.background_import import stop_before_closing
from gspace.gui.base_maps import BaseMapMenu
from gspace.gui.bundle_actions import SUFFIX as BUNDLE_SUFFIX
from gspace.gui.bundle_actions import BundleActions
from gspace.gui.conflict_actions import ConflictActions
from gspace.gui.detail_panel import DetailPanel
from gspace.gui.file_actions import FileActions
from gspace.gui.filter_bar import FilterBar
from gspace.gui.history_actions import HistoryActions
from gspace.gui.invite_actions import InviteActions
from gspace.gui.layer_panel import LayerPanel
from gspace.gui.map_content import feature_popup, legend_sections, nearest_lines, report_popup
from gspace.gui.map_view import MapView
from gspace.gui.reports_list import REPORT_MIME, ReportsList
from gspace.gui.review_actions import ReviewActions
from gspace.gui.settings import app_settings
from gspace.gui.shelter_actions import ShelterActions
from gspace.gui.sync_actions import SyncActions
from gspace.gui.timeline import Timeline
from gspace.ingest.sns_formats import JSON_SUFFIXES
from gspace.model import categories_of
from gspace.review import ReportSet
from gspace.store import query
from gspace.store.incident import Incident


class MainWindow(QMainWindow):
    """`mapDrawn(count)` fires each time the reports layer has been drawn after a data load."""

    mapDrawn = Signal(int)
    incidentRequested = Signal(Path)

    def __init__(self, incident: Incident):
        super().__init__()
        self.incident = incident
        self.settings = app_settings()
        self.catalog = incident_catalog(incident.path)
        incident.actor = str(self.settings.value("user/name") or "") or incident.actor
        self.setObjectName("MainWindow")
        self.report_set = ReportSet(incident)
        self.map = MapView(self._describe, self)
        self.timeline = Timeline(incident.timezone)
        self.setCentralWidget(_stacked(self.map, self.timeline))
        self.layers = LayerPanel()
        self.filters = FilterBar()
        self.reports = ReportsList(incident.timezone)
        self.detail = DetailPanel(incident.timezone)
        self.shelters = ShelterActions(self)
        self.docks = {
            "layers": self._dock("layers", self.layers, Qt.DockWidgetArea.LeftDockWidgetArea),
            "reports": self._dock(
                "reports",
                _stacked(self.filters, self.reports, stretch=1),
                Qt.DockWidgetArea.RightDockWidgetArea,
            ),
            "detail": self._dock("detail", self.detail, Qt.DockWidgetArea.RightDockWidgetArea),
            "shelters": self._dock(
                "shelters", self.shelters.dock, Qt.DockWidgetArea.BottomDockWidgetArea
            ),
        }
        self.review = ReviewActions(self, incident)
        self.conflicts = ConflictActions(self)
        self.files = FileActions(self)
        self.bundles = BundleActions(self)
        self.sync = SyncActions(self)
        self.sync.add_banner(self.centralWidget().layout())
        self.deletes = HistoryActions(self)  # delete features and layers, history, restore
        self.invites = InviteActions(self)
        self._build_actions()
        self.layers.groupToggled.connect(self._group_toggled)
        self.filters.changed.connect(self.apply_filters)
        self.timeline.windowChanged.connect(lambda: self.apply_filters(time_only=True))
        self.reports.reportSelected.connect(self._list_selected)
        self.reports.selectionChangedIds.connect(lambda ids: self.map.select(ids, pan=False))
        self.map.bridge.pointClicked.connect(self._map_clicked)
        self.map.bridge.pointsLassoed.connect(self._lassoed)
        self.map.bridge.pointMoved.connect(self.review.move)
        self.map.bridge.layerDrawn.connect(self._drawn)
        self.map.bridge.viewMoved.connect(self._remember_view)
        self.map.bridge.placeClicked.connect(self._place_selected)
        self.detail.situation.edited.connect(self.shelters.edit)
        self.map.bridge.contextRequested.connect(self.shelters.open_context_menu)
        self.detail.historyRequested.connect(lambda: self.deletes.show_history())
        self.detail.reportEdited.connect(lambda i, fields: self.review.set_fields([i], **fields))
        self.review.edited.connect(self._edited)
        self.selected_id: str | None = None
        self.shown: set[int] | None = None
        self.setAcceptDrops(True)
        self._view: tuple[float, float, int] | None = None
        self.load_data()
        self._restore()
        self.retranslate()

    # -- building -------------------------------------------------------------------------
    def _dock(self, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"{name}Dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, menu, handler, shortcut=None) -> QAction:
        action = QAction(self)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(handler)
        menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        self.file_menu, self.edit_menu, self.view_menu, self.review_menu, self.help_menu = (
            bar.addMenu("") for _ in range(5)
        )
        self.edit_menu.addActions([self.review.undo_action, self.review.redo_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addActions([self.deletes.delete_action, self.deletes.history_action])
        self.edit_menu.addSeparator()
        self.settings_action = self._action(
            self.edit_menu, self.open_settings, QKeySequence("Ctrl+,")
        )
        for action in self.review.actions():
            if action is None:
                self.review_menu.addSeparator()
            else:
                self.review_menu.addAction(action)
        self.reports.addActions([a for a in self.review.actions() if a is not None])
        self.open_action = self._action(
            self.file_menu, self._open_other, QKeySequence.StandardKey.Open
        )
        self.file_menu.addSeparator()
        self.import_files_action = self._action(
            self.file_menu, self.files.choose_photos, QKeySequence("Ctrl+I")
        )
        self.import_layer_action = self._action(
            self.file_menu, self.files.choose_layer, QKeySequence("Ctrl+L")
        )
        self.import_sns_action = self._action(
            self.file_menu, self.files.choose_posts, QKeySequence("Ctrl+J")
        )
        self.import_folder_action = self._action(
            self.file_menu, self.files.choose_photo_folder, QKeySequence("Ctrl+Shift+I")
        )
        self.import_status_action = self._action(self.file_menu, self.files.choose_status)
        self.file_menu.addSeparator()
        self.export_action = self._action(
            self.file_menu, self.files.choose_export, QKeySequence("Ctrl+E")
        )
        self.file_menu.addSeparator()
        self.export_bundle_action = self._action(self.file_menu, self.bundles.choose_export)
        self.import_bundle_action = self._action(self.file_menu, self.bundles.choose_import)
        self.file_menu.addSeparator()
        self.file_menu.addActions(
            [self.sync.sync_action, self.sync.cancel_action, self.sync.settings_action]
        )
        self.file_menu.addAction(self.invites.action)
        self.file_menu.setToolTipsVisible(True)  # why Volunteer invites… may be disabled
        self.file_menu.aboutToShow.connect(self.invites.check_role)  # a new hub or token
        self.sync.settings_action.triggered.connect(self.invites.check_role)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, self.close, QKeySequence.StandardKey.Quit)
        self.fit_action = self._action(
            self.view_menu, lambda: self.map.set_view(0, 0, -1), QKeySequence("Ctrl+0")
        )
        self.view_menu.addSeparator()
        for dock in [*self.docks.values(), self.conflicts.dock]:
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addAction(self.shelters.occupancy_action)
        self.view_menu.addSeparator()
        self.base_map_menu = self.view_menu.addMenu("")
        self.base_maps = BaseMapMenu(self, self.base_map_menu)
        self.base_maps.choose(self.base_maps.current)
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions = {}
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self, checkable=True)
            action.setChecked(code == i18n.current_language())
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.about_action = self._action(self.help_menu, self._about)
        self.place_action = QAction(self)
        self.place_action.setShortcut(QKeySequence("P"))
        self.place_action.triggered.connect(self.start_placing)
        self.unlocated_action = QAction(self, checkable=True)
        self.unlocated_action.toggled.connect(lambda _on: self.apply_filters())
        self.toolbar = self.addToolBar("")
        self.toolbar.setObjectName("mainToolBar")
        for action in (
            self.import_files_action,
            self.import_folder_action,
            self.import_layer_action,
            self.import_sns_action,
            self.place_action,
            self.unlocated_action,
        ):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.sync.sync_action)

    def retranslate(self) -> None:
        self.setWindowTitle(f"{self.incident.name} — gspace")
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.review_menu.setTitle(self.tr("&Review"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.review.retranslate()
        self.deletes.retranslate()
        self.help_menu.setTitle(self.tr("&Help"))
        self.open_action.setText(self.tr("&Open incident…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.fit_action.setText(self.tr("&Zoom to all"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.base_map_menu.setTitle(self.tr("&Base map"))
        self.base_maps.rebuild()
        self.about_action.setText(self.tr("&About gspace"))
        self.import_files_action.setText(self.tr("Import &photos…"))
        self.import_folder_action.setText(self.tr("Import a photo &folder…"))
        self.import_layer_action.setText(self.tr("Import a reference &layer…"))
        self.import_sns_action.setText(self.tr("Import &SNS posts…"))
        self.import_status_action.setText(self.tr("Import a shelter s&tatus snapshot…"))
        self.shelters.retranslate()
        self.export_action.setText(self.tr("&Export a map or file…"))
        self.export_bundle_action.setText(self.tr("Export &bundle…"))
        self.import_bundle_action.setText(self.tr("Import b&undle…"))
        self.place_action.setText(self.tr("Place on map"))
        self.place_action.setToolTip(self.tr("Place the selected report: click the map (P)"))
        self.unlocated_action.setText(self.tr("Needs location"))
        self.unlocated_action.setToolTip(self.tr("List only reports without a location"))
        self.toolbar.setWindowTitle(self.tr("Tools"))
        self.docks["layers"].setWindowTitle(self.tr("Layers"))
        self.docks["reports"].setWindowTitle(self.tr("Reports"))
        self.docks["detail"].setWindowTitle(self.tr("Details"))
        self.docks["shelters"].setWindowTitle(self.tr("Shelters"))
        self.conflicts.retranslate()
        self.sync.retranslate()
        self.invites.retranslate()
        self._update_status()
        self._send_legend()
        self.map.set_credit(i18n.current_language())
        columns = self.reports.source.columnCount()
        self.reports.source.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
        self.reports.viewport().update()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "docks"):
            self.retranslate()
        super().changeEvent(event)

    # -- data -------------------------------------------------------------------------------
    def load_data(self, reports: bool = True, features: bool = True) -> None:
        """Read reports and/or features from the store again and show them; an edit of one
        kind of row reloads only that kind."""
        if features:
            self.features = list(query.features(self.incident))
            self.features_by_id = {f["id"]: f for f in self.features}
            self.shelters.reload()
            self.map.set_layer("features", self.shelters.feature_layer(self.features))
        if reports:
            self.report_set.reload()
            self.rows = self.report_set.rows
            self._send_reports()
            self.reports.set_rows(self.rows)
            self.apply_filters()
        self._update_counts()
        self.conflicts.refresh()

    def _send_reports(self) -> None:
        """The map gets every located report once; filters then only say which to show."""
        located = [r for r in self.rows if r["lon"] is not None]
        self.map.set_layer("reports", mapdata.report_points(located))
        self._map_rids = np.fromiter((r["rid"] for r in located), np.int64, len(located))

    def _update_counts(self) -> None:
        self.located_count = sum(1 for r in self.rows if r["lon"] is not None)
        self.layers.set_counts(
            Counter(r["kind"] for r in self.rows),
            Counter(f["kind"] for f in self.features),
            self.catalog,
            Counter(c for r in self.rows for c in categories_of(r["category"])),
        )
        self.filters.set_municipalities(
            Counter(r["muni_code"] for r in self.rows if r["muni_code"])
        )
        self._update_status()
        self._send_legend()

    def current_filter(self) -> query.ReportFilter:
        """What the window shows, as the filter that exports and commands understand: the
        layer panel's kinds and categories, the filters above the list, the timeline's window."""
        located = False if self.unlocated_action.isChecked() else None
        filt = self.filters.narrow(self.layers.report_filter(located=located))
        since, until = self.timeline.times()
        return replace(filt, since=since, until=until)

    def apply_filters(self, time_only: bool = False) -> None:
        """Show in the list and on the map the reports the current filter passes. Moving the
        timeline changes only the window; other filters also redraw the timeline's bars."""
        if not time_only:
            self.timeline.set_counts(*self.report_set.hourly(self.current_filter()))
        shown = self.shown = self.report_set.matching(self.current_filter())
        self.reports.set_shown(shown)
        if shown is None:
            self.map.set_shown("reports", None)
        else:
            wanted = np.fromiter(shown, np.int64, len(shown))
            self.map.set_shown("reports", np.packbits(np.isin(self._map_rids, wanted)).tobytes())
        self._update_status()

    def _edited(self, ids: list[str]) -> None:
        """Reports were written: refresh their rows, move or restyle their points, and filter
        again (a new status may take a report out of the list)."""
        rows = self.report_set.refresh(ids)
        located = [r for r in rows if r["lon"] is not None]
        if self.map.ready:
            known = set(self._map_rids.tolist())
            new = [r["rid"] for r in located if r["rid"] not in known]
            self._map_rids = np.append(self._map_rids, np.array(new, np.int64))
            removed = [r["id"] for r in rows if r["lon"] is None]
            self.map.patch_layer("reports", mapdata.report_points(located), removed)
        else:
            self._send_reports()
        self.reports.source.rows_changed()
        self._update_counts()
        self.apply_filters()
        if self.selected_id in ids:
            self._show(self.selected_id)

    def _group_toggled(self, group: str, visible: bool) -> None:
        if group.startswith(("category:", "report:")):
            self.apply_filters()
        else:
            self.map.set_group_visible(group, visible)

    def _update_status(self) -> None:
        if not hasattr(self, "located_count"):
            return
        located = self.located_count
        shown = len(self.rows) if self.shown is None else len(self.shown)
        self.statusBar().showMessage(
            self.tr("%n report(s)", "", len(self.rows))
            + " · "
            + self.tr("%n shown", "", shown)
            + " · "
            + self.tr("%n without location", "", len(self.rows) - located)
            + " · "
            + self.tr("%n reference feature(s)", "", len(self.features))
        )

    def _send_legend(self) -> None:
        if hasattr(self, "rows"):
            self.map.set_legend(
                legend_sections(self.rows, self.features, self.catalog, self.tr("Reports"))
                + self.shelters.legend()
            )

    def _describe(self, point_id: str) -> dict | None:
        """The popup of a point (plain text; the page escapes it)."""
        feature = self.features_by_id.get(point_id)
        if feature:
            return feature_popup(feature, self.catalog.get(feature["kind"]))
        report = query.report(self.incident, point_id)
        return (
            report_popup(report, self.detail.format_time(report["observed_at"])) if report else None
        )

    # -- selection --------------------------------------------------------------------------
    def _show(self, point_id: str) -> None:
        feature = self.features_by_id.get(point_id)
        if feature:
            history = self.shelters.history(point_id) if feature["kind"] == "shelter" else []
            self.detail.show_feature(feature, self.catalog.get(feature["kind"]), history)
            self.shelters.dock.select_id(point_id)
            return
        report = query.report(self.incident, point_id)
        if report is None:
            return
        self.selected_id = point_id
        media = query.media_row(self.incident, report["media"][0]) if report["media"] else None
        kinds = {f["kind"] for f in self.features}
        nearest = nearest_lines(self.incident, report, kinds, self.catalog)
        history = triage.history(self.incident, point_id, self.incident.timezone)
        if media:
            self.detail.show_report(
                report,
                query.media_thumbnail(self.incident, media["sha256"]),
                self.incident.path / media["path"],
                media,
                nearest,
                history,
            )
        else:
            self.detail.show_report(report, nearest=nearest, history=history)

    def _list_selected(self, report_id: str) -> None:
        self._show(report_id)
        self.map.select(self.reports.selected_ids() or [report_id], pan=True)

    def _map_clicked(self, point_id: str) -> None:
        self._show(point_id)
        self.reports.select_id(point_id)
        self.map.select([point_id], pan=False)

    def _lassoed(self, ids: list[str]) -> None:
        """Reports inside a lasso on the map become the list's selection."""
        listed = self.reports.select_ids(ids)
        self.map.select(ids, pan=False)
        if ids:
            self._show(self.reports.current_id() or ids[0])
        self.statusBar().showMessage(self.tr("%n report(s) selected", "", max(listed, len(ids))))

    def selected_report_ids(self) -> list[str]:
        """What triage actions apply to: the selected rows, else the report shown."""
        ids = self.reports.selected_ids()
        if not ids and self.selected_id and self.selected_id not in self.features_by_id:
            ids = [self.selected_id]
        return ids

    def current_report_id(self) -> str | None:
        return self.reports.current_id() or self.selected_id

    def step_unreviewed(self, step: int) -> None:
        """Select the next (step 1) or previous (-1) report still `new`, in the list's order."""
        report_id = self.reports.next_with_status("new", step)
        if report_id is None:
            self.statusBar().showMessage(self.tr("No unreviewed report in the list."))
            return
        self.reports.select_id(report_id)
        self._show(report_id)
        self.map.select([report_id], pan=True)

    def _drawn(self, layer: str, count: int) -> None:
        if layer == "reports":
            self.mapDrawn.emit(count)

    # -- placing -------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt name)
        mime = event.mimeData()
        if mime.hasFormat(REPORT_MIME) or any(u.isLocalFile() for u in mime.urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt name)
        """Files and folders dropped anywhere are imported; a report dragged from the list and
        dropped on the map is placed where it was dropped."""
        mime = event.mimeData()
        if mime.hasFormat(REPORT_MIME):
            position = self.map.mapFrom(self, event.position().toPoint())
            if self.map.rect().contains(position):
                report_id = bytes(mime.data(REPORT_MIME)).decode().split("\n")[0]
                self.map.lat_lon_at(
                    position.x(), position.y(), lambda lat, lon: self.place(report_id, lat, lon)
                )
                event.acceptProposedAction()
            return
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        bundles = [Path(p) for p in paths if p.lower().endswith(BUNDLE_SUFFIX)]
        if bundles:  # other laptops' changes (.gsb): merged one by one, then the data reloads
            self.bundles.import_(bundles[0], bundles[1:])
        paths = [p for p in paths if not p.lower().endswith(BUNDLE_SUFFIX)]
        if bundles and not paths:
            event.acceptProposedAction()
        if paths:
            event.acceptProposedAction()
            # dropped JSON files are SNS posts; the rest photos (CSV could be either: File menu)
            posts = [Path(p) for p in paths if Path(p).suffix.lower() in JSON_SUFFIXES]
            others = [p for p in paths if Path(p).suffix.lower() not in JSON_SUFFIXES]
            if others:
                self.files.import_photos(others)
            if posts:
                self.files.import_sns(posts)

    def start_placing(self) -> None:
        if self.selected_id and self.selected_id not in self.features_by_id:
            self.statusBar().showMessage(self.tr("Click the map where the report belongs."))
            self.map.set_placing(True)

    def _place_selected(self, lat: float, lon: float) -> None:
        if self.selected_id:
            self.place(self.selected_id, lat, lon)

    def place(self, report_id: str, lat: float, lon: float) -> None:
        """Give a report the location a person chose (location_source "manual"; undoable)."""
        self.review.move(report_id, lat, lon)
        self._map_clicked(report_id)

    def replace_feature(self, feature: dict) -> None:
        """A feature was written: keep its new row (the map and panels are told by the caller)."""
        old = self.features_by_id.get(feature["id"])
        self.features_by_id[feature["id"]] = feature
        if old is None:
            self.features.append(feature)
        else:
            self.features[self.features.index(old)] = feature

    def show_feature_again(self, feature_id: str) -> None:
        if self.detail.shown_feature_id() == feature_id:
            self._show(feature_id)

    def select_feature(self, feature_id: str) -> None:
        """A feature chosen outside the map (the shelters overview): shown, selected, in view."""
        self._show(feature_id)
        self.map.select([feature_id], pan=True)

    # -- language, incidents, state ---------------------------------------------------------
    def set_language(self, lang: str) -> None:
        i18n.install(lang)
        self.settings.setValue("language", lang)
        self.language_actions[lang].setChecked(True)

    def open_settings(self) -> None:
        from gspace.gui.settings_dialog import apply_settings, settings_form

        form = settings_form(self)
        if form.exec():
            apply_settings(self, form)

    def set_time_zone(self, zone) -> None:
        """Show every time in `zone` (the incident's time zone was changed)."""
        self.incident.timezone = zone
        for widget in (self.reports.source, self.detail, self.timeline, self.timeline.histogram):
            widget.zone = zone
        self.reports.source.rows_changed()
        self.apply_filters()
        if self.selected_id:
            self._show(self.selected_id)

    def _open_other(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Open incident folder"), str(self.incident.path.parent)
        )
        if folder:
            try:
                Incident.open(folder).close()
            except GspaceError as e:
                QMessageBox.critical(self, self.tr("Cannot open incident"), str(e))
                return
            self.incidentRequested.emit(Path(folder))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About gspace"),
            self.tr("gspace %1 — disaster-information collection, offline first.").replace(
                "%1", __version__
            ),
        )

    def _view_key(self) -> str:
        return "view/" + str(self.incident.path.resolve()).replace("/", "|")

    def _remember_view(self, lat: float, lon: float, zoom: int) -> None:
        self._view = (lat, lon, zoom)

    def map_zoom(self) -> int:
        return self._view[2] if self._view else 12

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        state = self.settings.value("window/state")
        self.docks["shelters"].hide()  # until asked for (then remembered with the window state)
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.docks["layers"]], [230], Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["reports"]], [470], Qt.Orientation.Horizontal)
            self.resizeDocks(
                [self.docks["reports"], self.docks["detail"]], [420, 380], Qt.Orientation.Vertical
            )
        view = self.settings.value(self._view_key())
        if view:
            lat, lon, zoom = (float(v) for v in str(view).split(","))
            self.map.set_view(lat, lon, int(zoom))

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("last_incident", str(self.incident.path.resolve()))
        if self._view:
            self.settings.setValue(self._view_key(), ",".join(str(v) for v in self._view))
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if not stop_before_closing(self, self.files.imports):
            event.ignore()
            return
        self.sync.stop()
        self.save_state()
        super().closeEvent(event)


def _stacked(*widgets: QWidget, stretch: int = 0) -> QWidget:
    """Widgets one above the other; the one at index `stretch` takes the spare height."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for n, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if n == stretch else 0)
    return box
