"""Edit → Settings: each setting takes effect at once and is there the next time."""

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from gspace import triage
from gspace.gui.settings import app_settings
from gspace.gui.settings_dialog import apply_settings, settings_form
from gspace.gui.tile_scheme import tile_service
from gspace.store.incident import Incident


def test_settings_change_the_window_now_and_are_remembered(demo_path, open_main_window, qtbot):
    window = open_main_window(demo_path)
    first = window.reports.source.rows[0]
    shown = window.reports.model().index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    form = settings_form(window)
    assert form.zoneBox.currentText() == "Asia/Tokyo"
    form.nameEdit.setText("山田 (本部)")
    form.zoneBox.setCurrentText("UTC")
    form.baseMapBox.setCurrentIndex(form.baseMapBox.findData("gsi_photo"))
    form.cacheBox.setValue(800)
    form.languageBox.setCurrentIndex(form.languageBox.findData("ja"))
    apply_settings(window, form)
    # times are shown in the new zone: nine hours earlier than in Tokyo
    utc = window.reports.model().index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    assert window.reports.source.rows[0] is first and utc != shown
    assert int(shown[6:8]) - int(utc[6:8]) in (9, -15)
    assert window.timeline.times() == (None, None)
    qtbot.waitUntil(lambda: window.docks["reports"].windowTitle() == "報告")
    triage.set_fields(window.incident, [first["id"]], note="確認")
    entry = triage.history(window.incident, first["id"], ZoneInfo("UTC"))[-1]
    assert entry["actor"] == "山田 (本部)"
    assert tile_service(window.settings).store.cache.cap_bytes == 800 * 2**20
    stored = app_settings()
    assert stored.value("basemap/default") == "gsi_photo"
    assert int(stored.value("tiles/cache_mb")) == 800
    assert stored.value("user/name") == "山田 (本部)" and stored.value("language") == "ja"
    window.incident.close()
    with Incident.open(demo_path) as again:
        assert str(again.timezone) == "UTC"  # the incident keeps its zone for every device
