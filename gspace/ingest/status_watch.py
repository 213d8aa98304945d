"""A watch folder for status snapshots: how a prefecture's feed reaches a laptop with no direct
link (a USB stick, a shared folder, a sync client drops each new snapshot there).

Each new file is imported once: the incident remembers the SHA-256 of every snapshot it took
from a watch folder (meta `status_watch_done`), so a restart, a copy of the same file under
another name or a file touched again imports nothing twice. A file still being written (changed
within the last seconds) waits for the next look. Files are taken oldest first; the order does
not decide anything anyway, as a snapshot's own time does (status_feed.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from gspace.errors import GspaceError, file_message
from gspace.ingest.status_feed import StatusSummary, import_status
from gspace.store.incident import Incident

SUFFIXES = {".csv", ".tsv", ".txt", ".json", ".geojson", ".jsonl"}
DONE_KEY = "status_watch_done"
SETTLE_S = 2.0  # a file changed more recently than this may still be being written


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def done_digests(incident: Incident) -> dict[str, str]:
    """SHA-256 -> file name of the snapshots already taken from a watch folder."""
    row = incident.conn.execute("SELECT value FROM meta WHERE key = ?", (DONE_KEY,)).fetchone()
    return orjson.loads(row[0]) if row else {}


def pending(folder: Path, done: dict[str, str], now: float | None = None) -> list[Path]:
    """The snapshot files in `folder` not imported yet, oldest first."""
    now = time.time() if now is None else now
    found = []
    for path in folder.iterdir():
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        modified = path.stat().st_mtime
        if now - modified < SETTLE_S:
            continue
        found.append((modified, path.name, path))
    return [p for _, _, p in sorted(found) if _digest(p) not in done]


def import_new(
    incident: Incident,
    folder: str | Path,
    *,
    report: Callable[[Path, StatusSummary | None, str | None], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    encoding: str | None = None,
) -> int:
    """One look into `folder`: import each snapshot not taken before (the window's watch-folder
    timer calls this). `report(path, summary, error)` hears of each file; a file that cannot
    be read gives one line as `error` and is not tried again. Returns how many were imported."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GspaceError(f"{folder} is not a folder")
    done = done_digests(incident)
    try:
        files = pending(folder, done)
    except OSError as e:
        raise GspaceError(file_message(e, folder)) from None
    imported = 0
    for path in files:
        if cancelled and cancelled():
            break
        digest = _digest(path)
        try:
            summary = import_status(incident, path, encoding=encoding)
        except (GspaceError, OSError) as e:
            if report:
                report(path, None, file_message(e, path) if isinstance(e, OSError) else str(e))
        else:
            imported += 1
            if report:
                report(path, summary, None)
        done[digest] = path.name
        incident.set_meta(DONE_KEY, orjson.dumps(done).decode())
    return imported


def watch(
    incident: Incident,
    folder: str | Path,
    *,
    cancelled: Callable[[], bool],
    report: Callable[[Path, StatusSummary | None, str | None], None],
    interval: float = 5.0,
    encoding: str | None = None,
) -> int:
    """Import each new snapshot in `folder` (import_new every `interval` seconds) until
    `cancelled()`. Returns the number of snapshots imported."""
    imported = 0
    while not cancelled():
        imported += import_new(
            incident, folder, report=report, cancelled=cancelled, encoding=encoding
        )
        deadline = time.monotonic() + interval
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.1)
    return imported
