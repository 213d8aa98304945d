"""File → Volunteer invites…: the action that opens the invite dialog (invite_dialog.py), and
the one place that runs the hub's requests off the GUI thread.

The hub's invite routes accept only analyst and admin tokens, so the action asks the hub which
role the window's token has (/v1/whoami, on a worker thread, again when the hub or token
changed, checked when the File menu opens): an officer's token leaves the action disabled
with a tooltip that says an analyst token is needed. While the hub cannot be reached the role
is unknown and the action stays enabled; the dialog then says in one line what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QAction
from shiboken6 import isValid

from gspace.sync import credentials
from gspace.sync.hub_status import remembered
from gspace.sync.invites import ROLES_ALLOWED, InviteClient, InviteError

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings
_pool: QThreadPool | None = None
KNOWN_ROLES = ("admin", "analyst", "officer", "volunteer")  # gspace.hub.db.ROLES (no import:
# the window need not have the hub's packages)


class _Relay(QObject):
    """Lives in the GUI thread: its signals carry a worker's result back there."""

    done = Signal(object)
    failed = Signal(str)


_waiting: set[_Relay] = set()  # relays whose worker has not answered yet


class _Task(QRunnable):
    def __init__(self, work: Callable[[], object], relay: _Relay):
        super().__init__()
        self.work, self.relay = work, relay

    def run(self) -> None:
        try:
            result = self.work()
        except InviteError as e:
            self._emit(self.relay.failed, e.kind)
        except Exception:  # a hub answering nonsense: one line, never the exception's text
            self._emit(self.relay.failed, "hub error")
        else:
            self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal, value) -> None:
        signal.emit(value)  # queued to the relay's (the GUI) thread


def run_off_thread(
    owner: QObject, work: Callable[[], object], done: Callable, failed: Callable[[str], None]
) -> None:
    """Run `work()` on a worker thread; `done(result)` or `failed(kind)` run on the GUI thread,
    unless `owner` (the dialog, the window) was deleted meanwhile. The relay has no parent and
    is kept here until its answer is delivered, so a worker never emits on a deleted object."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(2)
    relay = _Relay()

    def deliver(slot, value) -> None:
        _waiting.discard(relay)
        relay.deleteLater()
        if isValid(owner):
            slot(value)

    relay.done.connect(lambda result: deliver(done, result))
    relay.failed.connect(lambda kind: deliver(failed, kind))
    _waiting.add(relay)
    _pool.start(_Task(work, relay))


def failure_text(kind: str) -> str:
    texts = {
        "unreachable": translate("Invites", "Cannot reach the hub: check the network."),
        "unauthorized": translate(
            "Invites", "The hub refused the token: set a new one in File → Hub settings…"
        ),
        "forbidden": translate(
            "Invites", "This token may not manage this incident's invites (analyst or admin)."
        ),
        "throttled": translate("Invites", "The hub is busy: try again in a minute."),
        "no incident": translate("Invites", "The hub has no such incident."),
        "no invite": translate("Invites", "The hub has no such invite any more."),
        "refused": translate("Invites", "The hub refused these settings for an invite."),
        "no qrcode": translate("Invites", "QR codes need the qrcode package (gspace[hub])."),
        "no hub": translate("Invites", "Set the hub and token up first: File → Hub settings…"),
        "file": translate("Invites", "Cannot write that file."),
    }
    return texts.get(kind, translate("Invites", "The hub answered with an error: try again."))


def hub_of(window) -> tuple[str, str, str] | None:
    """(hub URL, hub incident, token) the window syncs with, or None without them."""
    hub = remembered(window.incident)
    token = credentials.load(hub[0]) if hub else None
    return (hub[0], hub[1], token) if hub and token else None


class InviteActions(QObject):
    roleKnown = Signal(str)  # the hub said the token's role ("" when it could not be asked)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.action = QAction(window)
        self.action.setObjectName("volunteerInvitesAction")
        self.action.triggered.connect(self.open_dialog)
        self.role: str | None = None
        self.checked_for: tuple[str, str] | None = None
        self.dialog = None
        self.check_role()

    def retranslate(self) -> None:
        self.action.setText(translate("Invites", "&Volunteer invites…"))
        self._show()

    def check_role(self) -> None:
        """Ask the hub for the token's role unless it is known for this hub and token."""
        hub = hub_of(self.window)
        if hub is None:
            self.role, self.checked_for = None, None
            self._show()
            return
        url, _, token = hub
        if self.checked_for == (url, token) and self.role:
            return
        self.checked_for, self.role = (url, token), None
        self._show()

        def ask() -> str:
            with InviteClient(url, token, hub[1]) as client:
                return client.role()

        def got(role: str) -> None:
            if self.checked_for == (url, token):
                self.role = role
                self._show()
                self.roleKnown.emit(role)

        def failed(kind: str) -> None:
            if self.checked_for == (url, token):
                self.checked_for = None  # asked again when the File menu opens
                self._show()
                self.roleKnown.emit("")

        run_off_thread(self, ask, got, failed)

    def _show(self) -> None:
        if hub_of(self.window) is None:
            enabled, tip = False, failure_text("no hub")
        elif self.role and self.role not in ROLES_ALLOWED:
            enabled = False
            tip = translate(
                "Invites",
                "Volunteer invites need an analyst or admin token; this one is an %1 token. "
                "Ask the hub's administrator.",
            ).replace("%1", self.role if self.role in KNOWN_ROLES else "?")  # hub text: untrusted
        else:
            enabled = True
            tip = translate(
                "Invites", "Links and QR codes that let volunteers' phones send reports"
            )
        self.action.setEnabled(enabled)
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)

    def open_dialog(self) -> None:
        from gspace.gui.invite_dialog import InviteDialog

        hub = hub_of(self.window)
        if hub is None:
            return
        self.dialog = InviteDialog(self.window, *hub)
        self.dialog.show()
