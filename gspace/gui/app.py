"""Starting the desktop app: Qt set-up, language, choosing the incident, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Chromium refuses to run as root with its sandbox on (CI, live USB sessions).
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import shiboken6  # noqa: E402
from PySide6 import QtWebEngineWidgets  # noqa: E402, F401  (must load before QApplication)
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox  # noqa: E402

from gspace.errors import GspaceError, message  # noqa: E402
from gspace.gui import (
    i18n,  # noqa: E402
    tile_scheme,  # noqa: E402, F401  (registers gstile: before QApplication)
)
from gspace.gui.forms import load_form  # noqa: E402
from gspace.gui.settings import app_settings  # noqa: E402
from gspace.paths import resource  # noqa: E402
from gspace.store.incident import STORE, Incident  # noqa: E402

SCREENSHOT_TIMEOUT_MS = 60_000


# Qt platforms that draw on a screen of a display server (the others draw offscreen, on a
# framebuffer, or over VNC, and need none)
DISPLAY_PLATFORMS = {"xcb": ("DISPLAY",), "wayland": ("WAYLAND_DISPLAY",)}


def display_problem(environ=None) -> str | None:
    """Why no window can be shown here, as one line, or None. Without this check Qt aborts the
    process with a message that suggests reinstalling, which does not help (a server, an SSH
    session, a CI job)."""
    environ = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if platform and not platform.startswith(tuple(DISPLAY_PLATFORMS)):
        return None
    needed = DISPLAY_PLATFORMS["xcb"] + DISPLAY_PLATFORMS["wayland"]
    if platform.startswith("xcb"):
        needed = DISPLAY_PLATFORMS["xcb"]
    elif platform.startswith("wayland"):
        needed = DISPLAY_PLATFORMS["wayland"]
    return None if any(environ.get(name) for name in needed) else message("no display")


def application() -> QApplication:
    if QApplication.instance() is None and (problem := display_problem()):
        raise GspaceError(problem)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("gspace")
    app.setApplicationName("gspace")
    app.setDesktopFileName("gspace")
    app.setWindowIcon(QIcon(str(resource("icons", "gspace.svg"))))
    return app


def choose_incident() -> Path | None:
    """The chooser shown when there is no last incident to reopen."""
    dialog = load_form("incident_chooser")
    chosen: list[Path] = []

    def pick_folder() -> None:
        folder = QFileDialog.getExistingDirectory(dialog, dialog.windowTitle())
        if folder:
            chosen.append(Path(folder))
            dialog.accept()

    def new_incident() -> None:
        folder = QFileDialog.getExistingDirectory(dialog, dialog.windowTitle())
        if not folder:
            return
        name, ok = QInputDialog.getText(dialog, dialog.windowTitle(), "Name / 名称")
        if ok:
            try:
                Incident.create(folder, name=name or None).close()
            except GspaceError as e:
                QMessageBox.critical(dialog, dialog.windowTitle(), str(e))
                return
            chosen.append(Path(folder))
            dialog.accept()

    def demo() -> None:
        from gspace.demo import default_path, make_demo

        folder = default_path()
        if not (folder / STORE).exists():
            make_demo(folder).close()
        chosen.append(folder)
        dialog.accept()

    dialog.openButton.clicked.connect(pick_folder)
    dialog.newButton.clicked.connect(new_incident)
    dialog.demoButton.clicked.connect(demo)
    dialog.exec()
    return chosen[0] if chosen else None


def open_window(path: Path):
    """The main window on `path`, or None after telling the user why it cannot open."""
    from gspace.gui.main_window import MainWindow

    try:
        incident = Incident.open(path)
    except GspaceError as e:
        QMessageBox.critical(None, "gspace", str(e))
        return None
    window = MainWindow(incident)

    def switch(other: Path) -> None:
        window.save_state()
        replacement = open_window(other)
        if replacement is not None:
            replacement.show()
            window.close()

    window.incidentRequested.connect(switch)
    return window


def run(path: Path | None, screenshot: Path | None = None, lang: str | None = None) -> int:
    app = application()
    settings = app_settings()
    i18n.install(lang or settings.value("language") or i18n.system_language())
    if path is None:
        last = settings.value("last_incident")
        path = Path(last) if last and (Path(last) / "store.sqlite").exists() else choose_incident()
        if path is None:
            return 0
    window = open_window(path)
    if window is None:
        return 1
    window.show()
    if screenshot:
        _save_when_drawn(app, window, screenshot)
    code = app.exec()
    delete_top_level_widgets()
    return code


def delete_top_level_widgets() -> None:
    """Destroy every window now. Web pages must go before the web profile, which Qt destroys
    with the application; left to Python's garbage collector the order is random, and a page
    that outlives its profile crashes the process at exit."""
    while orphans := [w for w in QApplication.topLevelWidgets() if w.parent() is None]:
        # one at a time: deleting a window deletes its menus and dialogs, which are listed
        # as top-level widgets too
        orphans[0].close()
        shiboken6.delete(orphans[0])


def _save_when_drawn(app: QApplication, window, target: Path) -> None:
    """Save the window as PNG once the map has drawn and settled, then quit (exit 1 if the map
    never draws)."""
    settled = QTimer(window)
    settled.setSingleShot(True)
    settled.setInterval(800)  # no redraw for this long: fitting and panning are over
    settled.timeout.connect(lambda: app.exit(0 if window.grab().save(str(target)) else 1))
    window.mapDrawn.connect(lambda _count: settled.start())
    window.resize(1400, 900)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: app.exit(1))
