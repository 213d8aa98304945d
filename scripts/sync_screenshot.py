"""Render the window just after a sync with a real hub to docs/sync-status.png (for the README).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/sync_screenshot.py [--lang ja|en] [OUT.png]

Three copies of the demo incident change one report's status while apart
(tests/conflict_laptops.py); two of them sync with a hub (`gspace hub serve` on 127.0.0.1, a
real process), and the window opens on the third, whose clock ran six hours fast when it wrote
one report. Its Sync button then sends that report, brings the others' changes and the
conflict, and the window shows the status bar's indicator, the conflicts button and the clock
banner.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

import httpx  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402

from gspace.demo import make_demo  # noqa: E402
from gspace.gui import i18n  # noqa: E402
from gspace.gui.app import application, open_window  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INCIDENT = "熊本地震デモ"


def start_hub(data: Path) -> tuple[subprocess.Popen, str, list[str]]:
    """A hub process with the three laptops' officers' tokens: (process, url, tokens)."""
    from gspace.hub.db import HubDB

    db = HubDB(data)
    try:
        tokens = [
            db.create_token("officer", name, INCIDENT)
            for name in ("避難所班 佐藤", "本部 山田", "消防 田中")  # conflict_laptops.EDITS
        ]
    finally:
        db.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [sys.executable, "-m", "gspace.cli", "hub", "serve", "--data", str(data)]
        + ["--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    for _ in range(300):
        try:
            httpx.get(f"{url}/v1/whoami", headers={"Authorization": f"Bearer {tokens[0]}"})
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return hub, url, tokens


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=ROOT / "docs" / "sync-status.png", type=Path)
    parser.add_argument("--lang", default="ja", choices=sorted(i18n.LANGUAGES))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gspace-shot-"))
    os.environ["GSPACE_CONFIG_DIR"] = str(work / "config")
    os.environ["XDG_CONFIG_HOME"] = str(work / "xdg")  # the token, as gspace sync keeps it
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    make_demo(work / "demo").close()
    sys.path.insert(0, str(ROOT / "tests"))
    from conflict_laptops import three_laptops

    from gspace.store import records
    from gspace.store.incident import Incident
    from gspace.sync import credentials
    from gspace.sync.client import sync
    from gspace.sync.clock import HybridClock
    from gspace.sync.hub_status import remember

    laptops, _report_id = three_laptops(work / "demo", work)
    hub, url, tokens = start_hub(work / "hub")
    try:
        for other, token in zip(laptops[1:], tokens[1:], strict=True):
            with Incident.open(other) as inc:
                sync(inc, url, token, INCIDENT)
        with Incident.open(laptops[0]) as inc:
            last = inc.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
            inc.clock = HybridClock(last, wall=lambda: time.time_ns() // 1_000_000 + 6 * 3600_000)
            with inc.transaction():
                records.add_reports(
                    inc, [{"kind": "manual", "lon": 130.712, "lat": 32.79, "text": "橋の段差"}]
                )
            remember(inc, url, INCIDENT)
        credentials.save(url, tokens[0])
        app = application()
        i18n.install(args.lang)
        window = open_window(laptops[0])
        window.resize(1400, 900)
        window.show()

        def save() -> None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(args.out))
            print(args.out)
            app.exit(0)

        def synced(_summary) -> None:
            window.conflicts.open()
            QTimer.singleShot(2000, save)

        window.sync.synced.connect(synced)

        def first_draw(_count: int) -> None:
            window.mapDrawn.disconnect(first_draw)
            QTimer.singleShot(1000, window.sync.sync_now)

        QTimer.singleShot(0, lambda: window.mapDrawn.connect(first_draw))
        QTimer.singleShot(120_000, lambda: app.exit(1))
        return app.exec()
    finally:
        hub.terminate()
        hub.wait(10)


if __name__ == "__main__":
    sys.exit(main())
