"""GUI tests run offscreen. Qt WebEngine must be imported before the QApplication exists."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import pytest  # noqa: E402
from helpers import run_js  # noqa: E402
from PySide6 import QtWebEngineWidgets  # noqa: E402, F401

from gspace.gui.app import delete_top_level_widgets  # noqa: E402


@pytest.fixture(autouse=True)
def delete_windows(qapp):
    """Destroy every window (and so its web page) after each test, while the application and
    its web profile still exist: pages that outlive the profile crash Python at exit."""
    yield
    delete_top_level_widgets()


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    """Each test starts with no remembered window state, in English."""
    monkeypatch.setenv("GSPACE_CONFIG_DIR", str(tmp_path / "config"))
    from gspace.gui import i18n

    i18n.install("en")
    yield
    i18n.install("en")


@pytest.fixture
def open_main_window(qtbot):
    """Open a MainWindow on an incident folder, shown at 1400x900, after the map has drawn."""
    from gspace.gui.main_window import MainWindow
    from gspace.store.incident import Incident

    windows = []

    def make(path):
        window = MainWindow(Incident.open(path))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        with qtbot.waitSignal(window.mapDrawn, timeout=30_000):
            window.show()
        # the first fit to the reports happens once the view has its size
        qtbot.waitUntil(
            lambda: run_js(qtbot, window.map, "gspace.map.getZoom()") > 8, timeout=10_000
        )
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.incident.close()
