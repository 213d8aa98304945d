"""Syncing with the hub from the window: File → Sync now (and the toolbar's Sync button),
File → Hub settings… (hub_dialog.py), a sync by itself every N seconds, and the status bar's
indicator: offline / syncing / up to date, changes waiting (the hub's reasons for any it
refused in the tooltip), the last successful sync. The conflicts waiting are the conflicts
button beside it (conflict_actions.py), refreshed with the map and lists after each sync.

The sync is the core client (gspace.sync.client.sync, the same as `gspace sync`) on a worker
thread with its own connection to the incident (WAL lets the window read and write meanwhile);
Cancel stops it between batches, keeping what the hub acknowledged. A failure is one line in
the indicator (offline, token refused, …), never an exception's text. When the hub says the
laptop's clock is ahead of its own, a banner at the top of the window says so (non-modal).
"""

from __future__ import annotations

import html
import threading
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from gspace.errors import GspaceError
from gspace.gui.hub_dialog import HubDialog, interval
from gspace.store.incident import Incident
from gspace.sync import credentials
from gspace.sync.hub_status import remembered, status

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings
CLOCK_WARNING_MS = 60_000  # the hub restamps what is more than a minute ahead of it
REFUSED = ("unauthorized", "forbidden", "no hub", "no token")  # no background retry after these


class _Worker(QObject):
    progressed = Signal(str)
    finished = Signal(object)
    failed = Signal(str)  # the SyncError's kind

    def __init__(self, path: Path, url: str, token: str, hub_incident: str):
        super().__init__()
        self.path, self.url, self.token, self.hub_incident = path, url, token, hub_incident
        self.stop = threading.Event()

    def run(self) -> None:
        import httpx

        from gspace.sync.client import SyncError, sync

        try:
            timeout = httpx.Timeout(60.0, connect=10.0)  # an unreachable hub is said soon
            with (
                httpx.Client(base_url=self.url, timeout=timeout) as client,
                Incident.open(self.path) as incident,
            ):
                summary = sync(
                    incident,
                    self.url,
                    self.token,
                    self.hub_incident,
                    client=client,
                    progress=self.progressed.emit,
                    cancel=self.stop.is_set,
                )
        except SyncError as e:
            self.failed.emit(e.kind)
            return
        except GspaceError:
            self.failed.emit("store")
            return
        except Exception:  # a hub answering nonsense, a full disk: one line, the next try may do
            self.failed.emit("hub error")
            return
        self.finished.emit(summary)


def failure_text(kind: str) -> str:
    texts = {
        "unreachable": translate("Sync", "Offline"),
        "unauthorized": translate("Sync", "Token refused"),
        "forbidden": translate("Sync", "Not allowed on the hub"),
        "throttled": translate("Sync", "Hub busy: try again in a minute"),
        "cancelled": translate("Sync", "Sync cancelled"),
        "store": translate("Sync", "Cannot write the incident"),
        "no hub": translate("Sync", "No hub set up"),
        "no token": translate("Sync", "No token for the hub"),
    }
    return texts.get(kind, translate("Sync", "Hub error: try again later"))


class ClockBanner(QFrame):
    """A strip at the top of the window, closed with its × (nothing else waits for it)."""

    def __init__(self):
        super().__init__()
        self.setObjectName("clockBanner")
        self.setStyleSheet(
            "#clockBanner { background: #fff4d6; border-bottom: 1px solid #e0b040; }"
        )
        self.label = QLabel()
        self.label.setObjectName("clockBannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()


class SyncActions(QObject):
    """`synced(summary)` fires after a sync went through and the window has read its data."""

    synced = Signal(object)
    stateChanged = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.sync_action = QAction(window)
        self.sync_action.setObjectName("syncNowAction")
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_action.triggered.connect(lambda: self.sync_now())
        self.cancel_action = QAction(window)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        self.settings_action = QAction(window)
        self.settings_action.triggered.connect(self.open_settings)
        self.indicator = QPushButton()
        self.indicator.setObjectName("syncIndicator")
        self.indicator.setFlat(True)
        self.indicator.clicked.connect(lambda: self.sync_now())
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("syncCancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        bar = window.statusBar()
        bar.addPermanentWidget(self.indicator)
        bar.addPermanentWidget(self.cancel_button)
        self.banner = ClockBanner()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.state = "idle"  # idle | syncing | ok | a failure's kind
        self.progress_text = ""
        self.clock_ahead_ms = 0
        self.restamped = 0
        self.thread: QThread | None = None
        self.worker: _Worker | None = None
        self._reschedule()

    def add_banner(self, layout) -> None:
        """Put the clock banner at the top of the window's central column."""
        layout.insertWidget(0, self.banner)

    def retranslate(self) -> None:
        self.sync_action.setText(translate("Sync", "S&ync now"))
        self.sync_action.setToolTip(translate("Sync", "Sync with the hub now (Ctrl+Shift+S)"))
        self.cancel_action.setText(translate("Sync", "Cancel the sync"))
        self.settings_action.setText(translate("Sync", "&Hub settings…"))
        self.cancel_button.setText(translate("Sync", "Cancel"))
        self._show_clock()
        self.refresh()

    # -- running -----------------------------------------------------------------------------
    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def sync_now(self, background: bool = False) -> bool:
        """Start a sync unless one runs; without a hub or token, the settings open (or, in the
        background, the indicator says what is missing). True when a sync started."""
        if self.running():
            return False
        hub = remembered(self.window.incident)
        token = credentials.load(hub[0]) if hub else None
        if hub is None or not token:
            if background:
                self._set_state("no hub" if hub is None else "no token")
            elif self.open_settings():
                return self.sync_now()
            return False
        url, hub_incident = hub
        self.thread = QThread(self)
        self.worker = _Worker(self.window.incident.path, url, token, hub_incident)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        for signal, slot in (
            (self.worker.progressed, self._progress),
            (self.worker.finished, self._finished),
            (self.worker.failed, self._failed),
        ):
            signal.connect(slot, Qt.ConnectionType.QueuedConnection)
        self.progress_text = ""
        self._set_state("syncing")
        self.sync_action.setEnabled(False)
        self.cancel_action.setEnabled(True)
        self.cancel_button.show()
        self.thread.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.stop.set()

    def stop(self) -> None:
        """The window is closing: stop the sync where Cancel would, and wait for it."""
        self.timer.stop()
        if self.running():
            for signal in (self.worker.progressed, self.worker.finished, self.worker.failed):
                signal.disconnect()
            self.worker.stop.set()
            self.thread.quit()
            self.thread.wait()

    def _tick(self) -> None:
        """A sync by itself, unless the last one showed that only the user can help: a token
        refused again and again would also make the hub refuse this address for a while."""
        if self.state in REFUSED or remembered(self.window.incident) is None:
            return
        self.sync_now(background=True)

    def _reschedule(self) -> None:
        seconds = interval(self.window.settings)
        if seconds:
            self.timer.start(seconds * 1000)
        else:
            self.timer.stop()

    def open_settings(self) -> bool:
        dialog = HubDialog(self.window)
        accepted = bool(dialog.exec())
        if accepted:
            self.settings_changed()
        return accepted

    def settings_changed(self) -> None:
        """A new hub, token or interval: background syncs may go on again."""
        if self.state in REFUSED:
            self.state = "idle"
        self._reschedule()
        self.refresh()

    def _end(self) -> None:
        self.thread.quit()
        self.thread.wait()
        self.thread = self.worker = None
        self.sync_action.setEnabled(True)
        self.cancel_action.setEnabled(False)
        self.cancel_button.hide()

    def _progress(self, text: str) -> None:
        self.progress_text = text
        self.refresh()

    def _failed(self, kind: str) -> None:
        self._end()
        self._set_state(kind)

    def _finished(self, summary) -> None:
        self._end()
        window = self.window
        incident = window.incident
        last = incident.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
        if last and summary.restamped:  # the hub took this laptop's clock back to its own
            incident.clock.reset(last)
        elif last:  # an edit made next is later than everything the sync brought
            incident.clock.observe(last)
        if summary.received or summary.photos_down or summary.restamped:
            window.load_data()
        else:
            window.conflicts.refresh()
        ahead = max(summary.clock_ahead_ms, summary.clock_offset_ms)
        self.clock_ahead_ms = ahead if ahead > CLOCK_WARNING_MS else 0
        self.restamped = summary.restamped
        self._show_clock()
        self._set_state("ok")
        self.synced.emit(summary)

    # -- showing -----------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        self.refresh()
        self.stateChanged.emit(state)

    def _show_clock(self) -> None:
        if not self.clock_ahead_ms:
            self.banner.hide()
            return
        hours = self.clock_ahead_ms / 3_600_000
        count = self.restamped  # a plain name as the count: lupdate skips attributes
        text = translate(
            "Sync",
            "This computer's clock is about %1 hours ahead of the hub's. The hub gave %n "
            "change(s) its own time. Set the clock right (Settings → Date and time).",
            "",
            count,
        )
        if not self.restamped:
            text = translate(
                "Sync",
                "This computer's clock is about %1 hours ahead of the hub's. Set the clock "
                "right (Settings → Date and time) before editing.",
            )
        self.banner.label.setText(text.replace("%1", f"{hours:.1f}"))
        self.banner.show()

    def refresh(self) -> None:
        """Show where this laptop stands: the state, changes waiting, the last sync."""
        inc = self.window.incident
        hub = remembered(inc)
        if hub is None:
            self.indicator.setText(failure_text("no hub"))
            self.indicator.setToolTip(translate("Sync", "Set the hub up: File → Hub settings…"))
            return
        now = status(inc, *hub)
        if self.state == "syncing":  # the core's progress line: sending changes: 500 of 2,000
            parts = [
                translate("Sync", "Syncing…"),
                *([self.progress_text] if self.progress_text else []),
            ]
        elif self.state == "ok":
            parts = [
                translate("Sync", "Up to date") if not now.waiting else translate("Sync", "Synced")
            ]
        elif self.state == "idle":
            parts = []
        else:
            parts = [failure_text(self.state)]
        waiting = now.waiting
        if waiting:
            parts.append(translate("Sync", "%n change(s) pending", "", waiting))
        if now.synced_at:
            parts.append(translate("Sync", "last sync %1").replace("%1", self._time(now.synced_at)))
        elif self.state == "idle":
            parts.append(translate("Sync", "not synced yet"))
        self.indicator.setText(" · ".join(parts))
        colour = {"ok": "#1b7f3b", "syncing": "#1565c0", "idle": ""}.get(self.state, "#b00020")
        self.indicator.setStyleSheet(f"color: {colour}" if colour else "")
        self.indicator.setToolTip(self._tooltip(now))

    def _tooltip(self, now) -> str:
        lines = [
            translate("Sync", "Hub: %1 (incident %2)")
            .replace("%1", now.url)
            .replace("%2", now.hub_incident)
        ]
        if self.state == "syncing" and self.progress_text:
            lines.append(self.progress_text)
        if now.synced_at:
            lines.append(
                translate("Sync", "Last successful sync: %1").replace(
                    "%1", self._time(now.synced_at, full=True)
                )
            )
        if now.refused:
            lines.append(translate("Sync", "Refused by the hub (kept here, sent again):"))
            lines += now.refused[:20]
        lines.append(translate("Sync", "Click to sync now."))
        return "<p style='white-space:pre'>" + "<br>".join(html.escape(x) for x in lines) + "</p>"

    def _time(self, at: datetime, full: bool = False) -> str:
        local = at.astimezone(self.window.incident.timezone)
        if full or local.date() != datetime.now(local.tzinfo).date():
            return local.strftime("%Y-%m-%d %H:%M %Z")
        return local.strftime("%H:%M")
