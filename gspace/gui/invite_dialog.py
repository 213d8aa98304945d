"""The Volunteer invites dialog: the hub incident's invites (name, phones joined / cap,
expiry, state), a new invite (name, days, phone cap, the hub's address as phones reach it,
remembered in the settings), its link and QR code big enough to scan from the screen, the QR
as PNG, a one-page poster as PDF (invite_poster.py), and revoking (optionally the phones that
joined). Every request runs off the GUI thread (invite_actions.run_off_thread); a failure is
one line under the list. The hub keeps only hashes of the links, so a link can be shown only
right after it was made: the list cannot show old ones."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gspace.gui.hub_dialog import valid_url
from gspace.gui.invite_actions import failure_text, run_off_thread
from gspace.gui.invite_poster import write_poster
from gspace.sync.invites import InviteClient, InviteError, NewInvite, qr_png, require_qr

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings
BASE_KEY = "invites/base_url"  # the hub's address as phones reach it, per window settings
QR_SCREEN_PX = 320


class InviteDialog(QDialog):
    listed = Signal(list)
    created = Signal(object)
    revoked = Signal(int)
    failed = Signal(str)

    def __init__(self, window, url: str, hub_incident: str, token: str):
        super().__init__(window)
        self.window, self.url, self.hub_incident, self.token = window, url, hub_incident, token
        self.setObjectName("inviteDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = translate("Invites", "Volunteer invites — %1")
        self.setWindowTitle(title.replace("%1", hub_incident))
        self.invites: list = []
        self.made: NewInvite | None = None
        self.made_expiry = ""
        self.qr = b""

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("inviteTable")
        self.table.setHorizontalHeaderLabels(
            [
                translate("Invites", "Name"),
                translate("Invites", "Phones"),
                translate("Invites", "Expires"),
                translate("Invites", "State"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.refresh_button = QPushButton(translate("Invites", "Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.revoke_phones = QCheckBox(translate("Invites", "also stop the phones that joined"))
        self.revoke_phones.setObjectName("inviteRevokePhones")
        self.revoke_button = QPushButton(translate("Invites", "Revoke…"))
        self.revoke_button.setObjectName("inviteRevokeButton")
        self.revoke_button.clicked.connect(self.revoke_selected)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.revoke_phones)
        row.addWidget(self.revoke_button)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("inviteNameEdit")
        self.name_edit.setPlaceholderText(translate("Invites", "e.g. Shelter A"))
        self.days_box = QSpinBox()
        self.days_box.setObjectName("inviteDaysBox")
        self.days_box.setRange(0, 365)
        self.days_box.setValue(14)
        self.days_box.setSpecialValueText(translate("Invites", "never"))
        self.days_box.setSuffix(translate("Invites", " days"))
        self.cap_box = QSpinBox()
        self.cap_box.setObjectName("inviteCapBox")
        self.cap_box.setRange(0, 100_000)
        self.cap_box.setValue(200)
        self.cap_box.setSpecialValueText(translate("Invites", "no limit"))
        self.base_edit = QLineEdit(str(window.settings.value(BASE_KEY, "") or url))
        self.base_edit.setObjectName("inviteBaseEdit")
        self.base_edit.setToolTip(
            translate(
                "Invites",
                "The hub's address as volunteers' phones reach it, e.g. https://192.168.1.10:8780",
            )
        )
        self.create_button = QPushButton(translate("Invites", "Create invite"))
        self.create_button.setObjectName("inviteCreateButton")
        self.create_button.clicked.connect(self.create)
        form = QFormLayout()
        form.addRow(translate("Invites", "Name"), self.name_edit)
        form.addRow(translate("Invites", "Phones may join for"), self.days_box)
        form.addRow(translate("Invites", "Phones at most"), self.cap_box)
        form.addRow(translate("Invites", "Hub address for phones"), self.base_edit)
        form.addRow("", self.create_button)
        new_box = QGroupBox(translate("Invites", "New invite"))
        new_box.setLayout(form)

        self.qr_label = QLabel()
        self.qr_label.setObjectName("inviteQr")
        self.qr_label.setFixedSize(QR_SCREEN_PX, QR_SCREEN_PX)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setStyleSheet("background: white")
        self.link_edit = QLineEdit()
        self.link_edit.setObjectName("inviteLinkEdit")
        self.link_edit.setReadOnly(True)
        self.link_note = QLabel(
            translate(
                "Invites",
                "The link is shown only now (the hub keeps no copy): copy it, save the QR code "
                "or the poster before closing.",
            )
        )
        self.link_note.setWordWrap(True)
        self.copy_button = QPushButton(translate("Invites", "Copy link"))
        self.copy_button.clicked.connect(self.copy_link)
        self.save_qr_button = QPushButton(translate("Invites", "Save QR code…"))
        self.save_qr_button.clicked.connect(self.choose_qr_file)
        self.poster_button = QPushButton(translate("Invites", "Poster (PDF)…"))
        self.poster_button.clicked.connect(self.choose_poster_file)
        buttons = QHBoxLayout()
        for b in (self.copy_button, self.save_qr_button, self.poster_button):
            buttons.addWidget(b)
        made_box = QGroupBox(translate("Invites", "The new invite's link"))
        made_layout = QVBoxLayout(made_box)
        made_layout.addWidget(self.qr_label, 0, Qt.AlignmentFlag.AlignHCenter)
        made_layout.addWidget(self.link_edit)
        made_layout.addLayout(buttons)
        made_layout.addWidget(self.link_note)
        self._enable_made(False)

        self.error = QLabel()
        self.error.setObjectName("inviteError")
        self.error.setStyleSheet("color: #b00020")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(row)
        left.addWidget(self.error)
        left.addWidget(new_box)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(made_box)
        self.resize(980, 560)
        self.refresh()

    # -- requests (each on a worker thread) -------------------------------------------------
    def _client(self) -> InviteClient:
        return InviteClient(self.url, self.token, self.hub_incident)

    def _fail(self, kind: str) -> None:
        self.error.setText(failure_text(kind))
        self.error.show()
        self.create_button.setEnabled(True)
        self.failed.emit(kind)

    def refresh(self) -> None:
        def work():
            with self._client() as client:
                return client.invites()

        run_off_thread(self, work, self._listed, self._fail)

    def _listed(self, invites: list) -> None:
        self.invites = invites
        self.table.setRowCount(len(invites))
        for r, i in enumerate(invites):
            cap = str(i.devices) if i.devices is not None else "–"
            cells = [i.name, f"{i.phones} / {cap}", self._when(i.expires), state_text(i.state)]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, i.id)
                self.table.setItem(r, c, item)
        if self.made is not None:
            found = [i for i in invites if i.id == self.made.id]
            if found:
                self.made_expiry = self._expiry_line(found[0].expires)
        self.listed.emit(invites)

    def create(self) -> None:
        base = self.base_edit.text().strip().rstrip("/")
        if not valid_url(base):
            self.error.setText(
                translate("Invites", "Give the hub's address as phones reach it, e.g. %1").replace(
                    "%1", "https://192.168.1.10:8780"
                )
            )
            self.error.show()
            return
        self.error.hide()
        self.window.settings.setValue(BASE_KEY, base)
        name, days, cap = self.name_edit.text(), self.days_box.value(), self.cap_box.value()
        self.create_button.setEnabled(False)

        def work():
            require_qr()
            with self._client() as client:
                made = client.create(base, name, days or None, cap or None)
            return made, qr_png(made.link), time.time() + days * 86400 if days else None

        run_off_thread(self, work, self._created, self._fail)

    def _created(self, result) -> None:
        self.made, self.qr, expires = result  # the list's exact expiry replaces it soon
        self.create_button.setEnabled(True)
        self.made_expiry = self._expiry_line(expires)
        pixmap = QPixmap()
        pixmap.loadFromData(self.qr, "PNG")
        self.qr_label.setPixmap(
            pixmap.scaled(
                QR_SCREEN_PX,
                QR_SCREEN_PX,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,  # crisp modules, no blur
            )
        )
        self.link_edit.setText(self.made.link)
        self.link_edit.setCursorPosition(0)  # the link's start (its host) in view
        self._enable_made(True)
        self.name_edit.clear()
        self.created.emit(self.made)
        self.refresh()

    def revoke_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error.setText(translate("Invites", "Select the invite to revoke."))
            self.error.show()
            return
        invite = self.invites[rows[0].row()]
        phones = self.revoke_phones.isChecked()
        question = translate("Invites", "Revoke the invite “%1”? No new phone can join.")
        if phones:
            question += " " + translate("Invites", "The phones that joined cannot send any more.")
        answer = QMessageBox.question(self, self.windowTitle(), question.replace("%1", invite.name))
        if answer != QMessageBox.StandardButton.Yes:
            return

        def work():
            with self._client() as client:
                client.revoke(invite.id, phones)
            return invite.id

        run_off_thread(self, work, self._revoked, self._fail)

    def _revoked(self, invite_id: int) -> None:
        self.error.hide()
        self.revoked.emit(invite_id)
        self.refresh()

    # -- the new link -----------------------------------------------------------------------
    def _enable_made(self, on: bool) -> None:
        for b in (self.copy_button, self.save_qr_button, self.poster_button):
            b.setEnabled(on)

    def copy_link(self) -> None:
        if self.made is not None:
            QGuiApplication.clipboard().setText(self.made.link)

    def choose_qr_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("Invites", "Save QR code"), "invite-qr.png", "PNG (*.png)"
        )
        if path:
            self.save_qr(Path(path))

    def save_qr(self, path: Path) -> bool:
        """The QR at print size (16 px a module, as `gspace hub invite --qr`)."""
        if self.made is None:
            return False
        try:
            path.write_bytes(qr_png(self.made.link, box=16))
        except (OSError, InviteError):
            self._fail("file")
            return False
        return True

    def choose_poster_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("Invites", "Save poster"), "invite-poster.pdf", "PDF (*.pdf)"
        )
        if path:
            self.save_poster(Path(path))

    def save_poster(self, path: Path) -> bool:
        if self.made is None:
            return False
        qr = qr_png(self.made.link, box=16)
        ok = write_poster(path, self.made.link, qr, self.made_expiry, self.made.name)
        if not ok:
            self._fail("file")
        return ok

    # -- showing ----------------------------------------------------------------------------
    def _when(self, at: float | None) -> str:
        if at is None:
            return translate("Invites", "never")
        tz = self.window.incident.timezone
        return datetime.fromtimestamp(at, tz).strftime("%Y-%m-%d %H:%M")

    def _expiry_line(self, at: float | None) -> str:
        """The poster's expiry line, in both languages (the poster is for volunteers)."""
        if at is None:
            return "期限なし / No expiry"
        when = self._when(at)
        return f"{when} まで参加できます / Open until {when}"


def state_text(state: str) -> str:
    return {
        "live": translate("Invites", "open"),
        "full": translate("Invites", "full"),
        "expired": translate("Invites", "expired"),
        "revoked": translate("Invites", "revoked"),
    }.get(state, state)
