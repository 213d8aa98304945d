"""Helpers shared by the test suites (imported as `helpers`; kept out of conftest.py so that
the suites' conftest files do not shadow each other)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"

# the environment of a command whose messages a test reads in English, in Japanese
EN = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
JA = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}


def gspace_command() -> list[str]:
    """The installed console script when there is one, else `python -m gspace`."""
    script = Path(sys.executable).parent / "gspace"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gspace"]


def run_gspace(*args: str, check: bool = False, env: dict | None = None, **kwargs):
    result = subprocess.run(
        [*gspace_command(), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        **kwargs,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"gspace {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` and its SHA-256: equal digests mean byte-identical trees."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_js(qtbot, view, code):
    """Evaluate `code` in a web view's page and return its result, passed through JSON
    (PySide does not convert JavaScript arrays)."""
    results = []
    wrapped = f"JSON.stringify(eval({json.dumps(code)}) ?? null)"
    view.page().runJavaScript(wrapped, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0])


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius): an independent check of
    positions, good to about 0.5 %."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def accept_message_box(qtbot) -> str:
    """Wait for a visible message box (an import's summary), press OK, return its text."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    def visible():
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: bool(visible()), timeout=30_000)
    box = visible()[0]
    text = box.text()
    box.accept()
    return text


def drop(window, mime, at) -> None:
    """Deliver a drag-and-drop of `mime` (a QMimeData) at `at` (a QPoint, window coordinates)
    the way Qt does: the enter event must be accepted, then the drop."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(
        at, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(at), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, event)


def popup_lines(qtbot, window, point_id: str, lat: float, lon: float) -> list[str]:
    """Open a point's popup on the map and return the text of its lines, as the page holds
    them (after checking that no alert() ran: hostile text must stay text)."""
    run_js(
        qtbot,
        window.map,
        "window.alerted = false; window.alert = () => { window.alerted = true; }; 1",
    )
    run_js(qtbot, window.map, f"showPopup('{point_id}', L.latLng({lat}, {lon})); 1")
    qtbot.waitUntil(
        lambda: run_js(qtbot, window.map, "document.querySelectorAll('.gs-popup-line').length") >= 1
    )
    return run_js(
        qtbot,
        window.map,
        "[...document.querySelectorAll('.gs-popup-line')].map(e => e.textContent)",
    )


def chromium() -> str:
    """The system's Chromium for browser tests: skipped without it, except in CI."""
    import shutil

    import pytest

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
            pytest.fail("chromium is not installed (scripts/setup.sh installs it as root)")
        pytest.skip("chromium is not installed")
    return found


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
