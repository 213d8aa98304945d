"""File → Hub settings…: the hub this incident syncs with, its name for the incident there, the
token, and how often the window syncs by itself. The hub and its incident go in the incident's
meta (the keys `gspace sync --hub` uses); the token goes where `gspace sync --token` keeps it
(gspace.sync.credentials: the keyring, else a file only the user can read), never in
store.sqlite, which is copied to USB sticks and other laptops."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gspace.sync import credentials
from gspace.sync.hub_status import remember, remembered

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings
DEFAULT_INTERVAL = 60  # seconds between background syncs; 0 turns them off


def interval(settings) -> int:
    try:
        return max(0, int(settings.value("sync/interval", DEFAULT_INTERVAL)))
    except (TypeError, ValueError):
        return DEFAULT_INTERVAL


def valid_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class HubDialog(QDialog):
    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.window = window
        self.setObjectName("hubDialog")
        self.setWindowTitle(translate("Sync", "Hub settings"))
        inc = window.incident
        url, hub_incident = remembered(inc) or ("", inc.name)
        self.url_edit = QLineEdit(url)
        self.url_edit.setObjectName("hubUrlEdit")
        self.url_edit.setPlaceholderText("https://hub.example:8780")
        self.incident_edit = QLineEdit(hub_incident)
        self.incident_edit.setObjectName("hubIncidentEdit")
        self.token_edit = QLineEdit()
        self.token_edit.setObjectName("hubTokenEdit")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        known = bool(url and credentials.load(url))
        self.token_edit.setPlaceholderText(
            translate("Sync", "kept (type a new one to replace it)")
            if known
            else translate("Sync", "from the hub's administrator")
        )
        self.interval_box = QSpinBox()
        self.interval_box.setObjectName("hubIntervalBox")
        self.interval_box.setRange(0, 24 * 3600)
        self.interval_box.setSingleStep(30)
        self.interval_box.setSuffix(translate("Sync", " s"))
        self.interval_box.setSpecialValueText(translate("Sync", "off"))
        self.interval_box.setValue(interval(window.settings))
        form = QFormLayout()
        form.addRow(translate("Sync", "Hub address"), self.url_edit)
        form.addRow(translate("Sync", "Incident on the hub"), self.incident_edit)
        form.addRow(translate("Sync", "Token"), self.token_edit)
        form.addRow(translate("Sync", "Sync by itself every"), self.interval_box)
        self.error = QLabel()
        self.error.setObjectName("hubDialogError")
        self.error.setStyleSheet("color: #b00020")
        self.error.hide()
        note = QLabel(
            translate(
                "Sync",
                "The token is kept in this computer's keyring or in a file only you can read, "
                "never in the incident folder.",
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def accept(self) -> None:
        """Keep what is valid, or say in one line what is not (the dialog stays open)."""
        url = self.url_edit.text().strip().rstrip("/")
        hub_incident = self.incident_edit.text().strip()
        token = self.token_edit.text().strip()
        problem = ""
        if not valid_url(url):
            problem = translate("Sync", "Give the hub's address, e.g. https://hub.example:8780")
        elif not hub_incident:
            problem = translate("Sync", "Give the incident's name on the hub.")
        elif not token and not credentials.load(url):
            problem = translate("Sync", "Give the token from the hub's administrator.")
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        try:
            if token:
                credentials.save(url, token)
            remember(self.window.incident, url, hub_incident)
        except OSError:
            self.error.setText(translate("Sync", "Cannot save the settings on this computer."))
            self.error.show()
            return
        self.window.settings.setValue("sync/interval", self.interval_box.value())
        super().accept()
