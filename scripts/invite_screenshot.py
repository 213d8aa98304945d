"""Render File → Volunteer invites… just after making an invite to docs/volunteer-invite.png
(for the README).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/invite_screenshot.py [--lang ja|en] [OUT]

A hub process on 127.0.0.1 holds the demo incident with one older invite (revoked); the window
opens on the demo with an analyst's token, and the dialog makes a new invite for a shelter as
phones would reach the hub on the shelter's network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

from PySide6.QtCore import QTimer  # noqa: E402

from gspace.demo import make_demo  # noqa: E402
from gspace.gui import i18n  # noqa: E402
from gspace.gui.app import application, open_window  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INCIDENT = "熊本地震デモ"


def main() -> int:
    parser = argparse.ArgumentParser()
    out = ROOT / "docs" / "volunteer-invite.png"
    parser.add_argument("out", nargs="?", default=out, type=Path)
    parser.add_argument("--lang", default="ja", choices=sorted(i18n.LANGUAGES))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gspace-shot-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(work / "config")
    os.environ["XDG_CONFIG_HOME"] = str(work / "xdg")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    make_demo(work / "demo").close()
    sys.path.insert(0, str(ROOT / "tests"))
    from hub_process import HubProcess

    from gspace.hub.db import HubDB
    from gspace.store.incident import Incident
    from gspace.sync import credentials
    from gspace.sync.hub_status import remember

    db = HubDB(work / "hub")
    try:
        admin = db.create_token("admin", "管理", None)
        analyst = db.create_token("analyst", "本部 山田", INCIDENT)
    finally:
        db.close()
    hub = HubProcess(work / "hub").start(admin)
    try:
        headers = {"Authorization": f"Bearer {admin}"}
        hub.client.post("/v1/incidents", json={"name": INCIDENT}, headers=headers)
        base = f"/v1/incidents/{INCIDENT}/invites"
        old = hub.client.post(base, json={"name": "公民館", "devices": 30}, headers=headers)
        hub.client.delete(f"{base}/{old.json()['id']}", headers=headers)
        with Incident.open(work / "demo") as inc:
            remember(inc, hub.url, INCIDENT)
        credentials.save(hub.url, analyst)
        app = application()
        i18n.install(args.lang)
        window = open_window(work / "demo")
        window.resize(1400, 900)
        window.show()

        def save() -> None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            window.invites.dialog.grab().save(str(args.out))
            print(args.out)
            app.exit(0)

        def make() -> None:
            window.invites.action.trigger()
            dialog = window.invites.dialog
            dialog.name_edit.setText("避難所A 体育館")
            dialog.cap_box.setValue(200)
            dialog.days_box.setValue(14)
            dialog.base_edit.setText("https://192.168.1.10:8780")
            dialog.created.connect(lambda _made: dialog.listed.connect(lambda _l: save()))
            dialog.create_button.click()

        def first_draw(_count: int) -> None:
            window.mapDrawn.disconnect(first_draw)
            QTimer.singleShot(500, make)

        QTimer.singleShot(0, lambda: window.mapDrawn.connect(first_draw))
        QTimer.singleShot(120_000, lambda: app.exit(1))
        return app.exec()
    finally:
        hub.stop()


if __name__ == "__main__":
    sys.exit(main())
