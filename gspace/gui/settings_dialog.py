"""Edit → Settings: language, your name in report histories, the incident's time zone, the
default base map, the tile cache's size and the folder watched for shelter status snapshots.
Kept in the settings file (the time zone in the incident, since every device showing it should
agree)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from PySide6.QtWidgets import QFileDialog, QWidget

from gspace.gui import i18n
from gspace.gui.forms import load_form, set_choices
from gspace.gui.tile_scheme import DEFAULT_BASE_MAP, tile_service
from gspace.tiles import DEFAULT_CACHE_MB

COMMON_ZONES = ("Asia/Tokyo", "UTC")


def settings_form(window) -> QWidget:
    """The form, filled with the current values; `apply_settings` writes what it holds."""
    form = load_form("settings", window)
    settings = window.settings
    languages = [(name, code) for code, name in i18n.LANGUAGES.items()]
    set_choices(form.languageBox, languages, i18n.current_language())
    form.nameEdit.setText(window.incident.actor)
    zones = [*COMMON_ZONES, *sorted(available_timezones() - set(COMMON_ZONES))]
    form.zoneBox.addItems(zones)
    form.zoneBox.setCurrentText(str(window.incident.timezone))
    default = settings.value("basemap/default", DEFAULT_BASE_MAP)
    set_choices(form.baseMapBox, window.base_maps.choices_named(), default)
    form.cacheBox.setValue(int(settings.value("tiles/cache_mb", DEFAULT_CACHE_MB)))
    form.watchEdit.setText(str(settings.value("shelters/watch_folder") or ""))
    form.watchButton.clicked.connect(lambda: _choose_folder(form))
    return form


def _choose_folder(form) -> None:
    folder = QFileDialog.getExistingDirectory(
        form, form.watchLabel.text(), form.watchEdit.text() or str(Path.home())
    )
    if folder:
        form.watchEdit.setText(folder)


def apply_settings(window, form) -> None:
    settings = window.settings
    settings.setValue("user/name", form.nameEdit.text().strip())
    window.incident.actor = form.nameEdit.text().strip() or window.incident.actor
    settings.setValue("basemap/default", form.baseMapBox.currentData())
    settings.setValue("tiles/cache_mb", form.cacheBox.value())
    tile_service(settings).set_cache_mb(form.cacheBox.value())
    zone = form.zoneBox.currentText()
    if zone != str(window.incident.timezone):
        window.incident.set_meta("timezone", zone)
        window.set_time_zone(ZoneInfo(zone))
    folder = form.watchEdit.text().strip()
    if folder != str(settings.value("shelters/watch_folder") or ""):
        settings.setValue("shelters/watch_folder", folder)
        window.files.watch(folder or None)
    window.set_language(form.languageBox.currentData())
    settings.sync()
