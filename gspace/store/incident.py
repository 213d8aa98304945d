"""An incident folder: `store.sqlite` plus `media/`, opened safely.

Opening checks everything before anything is written, so a folder that is not an incident, a
store from a newer gspace, a damaged file or a read-only folder gives one clear error and stays
byte-identical.
"""

from __future__ import annotations

import getpass
import os
import socket
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from gspace.errors import IncidentError, message
from gspace.store.schema import SCHEMA_VERSION, migrate, schema_version
from gspace.sync.clock import HybridClock

STORE = "store.sqlite"
MEDIA = "media"
DEFAULT_TIMEZONE = "Asia/Tokyo"
_BULK = {"synchronous": "NORMAL", "cache_size": -65536}  # Incident.bulk()


class Incident:
    def __init__(self, path: Path, db: sqlite_utils.Database, writable: bool):
        self.path = path
        self.db = db
        self.conn = db.conn
        self.writable = writable
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        self.name: str = meta.get("name", path.name)
        self.device_id: str = meta.get("device_id", "")
        self._fingerprint = meta.get("device_fingerprint") if writable else None
        self._checked = not writable
        self.timezone = ZoneInfo(meta.get("timezone", DEFAULT_TIMEZONE))
        last = self.conn.execute("SELECT max(hlc) FROM changes").fetchone()[0]
        self.clock = HybridClock(last)
        self.actor = _user_name()  # who the change log says made each change

    def _check_copied(self, known: str | None) -> None:
        """A copied incident folder must not sync as the device it was copied from (its
        changes would reuse that device's sequence numbers): where the store lives (file,
        folder, host) is remembered, and a store found elsewhere gets a new device id. A
        folder merely moved gets one too, which is harmless (a new device starts at 1)."""
        self._checked = True
        here = _fingerprint(self.path)
        if known == here or not self.device_id:
            if known != here:
                self.db["meta"].upsert({"key": "device_fingerprint", "value": here}, pk="key")
            return
        with self.db.atomic():
            if known is not None:
                self.device_id = uuid.uuid4().hex
                self.db["meta"].upsert({"key": "device_id", "value": self.device_id}, pk="key")
            self.db["meta"].upsert({"key": "device_fingerprint", "value": here}, pk="key")

    @property
    def media_dir(self) -> Path:
        return self.path / MEDIA

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | Path, name: str | None = None, timezone: str = DEFAULT_TIMEZONE
    ) -> Incident:
        path = Path(path)
        if (path / STORE).exists():
            raise IncidentError(f"{path} is already an incident")
        if path.exists() and not path.is_dir():
            raise IncidentError(f"{path} exists and is not a folder")
        ZoneInfo(timezone)  # an unknown zone fails here, before anything is written
        try:
            (path / MEDIA).mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(_connect(path / STORE))
        except (OSError, sqlite3.Error) as e:
            raise IncidentError(f"cannot create an incident in {path}: {e}") from None
        db.conn.execute("PRAGMA journal_mode=WAL")
        migrate(db)
        with db.atomic():
            db["meta"].insert_all(
                [
                    {"key": "name", "value": name or path.name},
                    {"key": "device_id", "value": uuid.uuid4().hex},
                    {"key": "timezone", "value": timezone},
                    {"key": "created_at", "value": datetime.now().astimezone().isoformat()},
                    {"key": "device_fingerprint", "value": _fingerprint(path)},
                ],
                pk="key",
                replace=True,
            )
        return cls(path, db, writable=True)

    @classmethod
    def open(cls, path: str | Path, *, write: bool = True) -> Incident:
        """Open an existing incident; `write=False` reads even from a read-only folder."""
        path = Path(path)
        store = path / STORE
        if not path.is_dir():
            raise IncidentError(message("no incident", path=path))
        if not store.is_file():
            raise IncidentError(message("no store", path=path, store=STORE))
        writable = _is_writable(path) and _is_writable(store)
        if write and not writable:
            raise IncidentError(f"the incident is read-only: {path} (copy it to a writable folder)")
        try:
            conn = _connect(store, read_only=not writable)
            version = schema_version(conn)
        except sqlite3.DatabaseError as e:
            raise IncidentError(f"{store} is damaged or not a gspace store ({e})") from None
        if version == 0:
            conn.close()
            raise IncidentError(f"{store} is not a gspace store (no schema version)")
        if version > SCHEMA_VERSION:
            conn.close()
            raise IncidentError(
                f"{store} was written by a newer gspace (schema {version}; this gspace reads up "
                f"to {SCHEMA_VERSION}): update gspace to open it"
            )
        db = sqlite_utils.Database(conn)
        if version < SCHEMA_VERSION:
            if not writable:
                raise IncidentError(f"{store} needs an upgrade but the incident is read-only")
            migrate(db)
        return cls(path, db, writable=writable)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Incident:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def transaction(self):
        """One atomic write: rows, indexes and change-log entries land together or not at all."""
        if not self.writable:
            raise IncidentError(f"the incident is read-only: {self.path}")
        with self.db.atomic():
            if not self._checked:  # at the first write: opening to read writes nothing
                self._check_copied(self._fingerprint)
            yield self

    @contextmanager
    def bulk(self):
        """Settings for a large import: commits do not wait for the disk, and the page cache
        holds the growing indexes. A crash of the machine may lose the last batches (a killed
        process loses nothing it committed); the store stays consistent either way, and the
        import is made durable when it ends. Inside a transaction already open (a hub
        replica's write on PostgreSQL: `hub bundle import --db`) SQLite cannot change them:
        the import then runs with the store's own settings."""
        if self.conn.in_transaction:
            yield self
            return
        before = {p: self.conn.execute(f"PRAGMA {p}").fetchone()[0] for p in _BULK}
        for pragma, value in _BULK.items():
            self.conn.execute(f"PRAGMA {pragma}={value}")
        try:
            yield self
        finally:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # syncs what was written
            for pragma, value in before.items():
                self.conn.execute(f"PRAGMA {pragma}={value}")

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    def now(self) -> str:
        """The current time in the incident's time zone, ISO 8601 with offset."""
        return datetime.now(self.timezone).isoformat(timespec="seconds")


def _connect(store: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        # A WAL store in a folder we cannot write: immutable mode reads without the -shm file.
        uri = f"{store.resolve().as_uri()}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _fingerprint(path: Path) -> str:
    store = path / STORE
    return f"{os.stat(store).st_ino}:{path.resolve()}:{socket.gethostname()}"


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return ""


def _is_writable(path: Path) -> bool:
    return os.access(path, os.W_OK)
