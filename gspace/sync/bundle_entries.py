"""A bundle's entries (`entries.jsonl`): written by the exporting process, or, for a large
bundle, by a second process into a file while the exporting one copies the photos into the zip.

Making the entries is Python's work (the log replayed, inserts rebuilt from their rows, JSON);
copying the photos is the disk's and the hashes' (both release the GIL, but a thread beside
Python's work waits for it at every chunk). In two processes they take the time of the longer
instead of their sum. The photos copied meanwhile are those the entries certainly want (the
photos' own insert entries in the range); any other photo an entry names is copied after.
The second process (side_process.py: this module run by a new interpreter, reading the log
on its own read-only connection) costs a few tenths of a second to start: it is used from
`CHILD_FROM` entries on. If it fails for any reason, the entries are written here as for a
small bundle.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from gspace.errors import Interrupted
from gspace.sync import side_process
from gspace.sync.bundle_format import Deflated, HashingWriter, Member, is_hash
from gspace.sync.bundle_text import say
from gspace.sync.rows import paused_gc

if TYPE_CHECKING:
    from gspace.store.incident import Incident

CHILD_FROM = 20_000  # entries after which a second process writes them


@dataclass
class Written:
    entries: int = 0
    first: int | None = None  # local seq of the first entry written
    last: int | None = None
    top: int = 0  # the newest local seq read (also those left out by the date)
    wanted: dict[str, None] = field(default_factory=dict)  # photo hashes, in order
    member: Member | None = None
    crc: int = 0  # CRC-32 of the entries (written deflated by the second process)


def write_entries(conn: sqlite3.Connection, after: int, stamp: str | None, out, progress=None,
                  cancel=None) -> Written:  # fmt: skip
    """Every entry of the store `conn` after local seq `after` (and, with `stamp`, not older
    than it) as JSON lines through `out`, 2,000 lines a write; the photos they need in
    `wanted`."""
    from gspace.sync.changes import entries_after

    written, lines = Written(top=after), []
    with paused_gc():
        for seq, entry in entries_after(conn, after):
            written.top = seq
            if stamp is not None and entry.get("hlc", "") < stamp:
                continue
            written.first = seq if written.first is None else written.first
            written.last = seq
            lines.append(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))
            written.entries += 1
            for sha in media_of(entry):
                written.wanted.setdefault(sha, None)
            if len(lines) == 2000:
                out.write(b"".join(lines))
                lines.clear()
                if cancel and cancel():
                    raise Interrupted(say("export cancelled"))
                if progress:
                    progress("entries", written.entries, 0)
        out.write(b"".join(lines))
    return written


def media_of(entry: dict) -> list[str]:
    """The photo hashes an entry needs: a media row's own, and those a report lists."""
    if entry.get("tbl") == "media" and entry.get("op") == "insert":
        return [entry["row_id"]]
    if entry.get("tbl") == "reports":
        listed = (entry.get("data") or {}).get("media")
        if isinstance(listed, str):
            try:
                listed = orjson.loads(listed)
            except orjson.JSONDecodeError:
                listed = None
        return [sha for sha in listed or () if is_hash(sha)]
    return []


def inserted_photos(incident: Incident, after: int, stamp: str | None) -> dict[str, None]:
    """The photos whose own insert entries are in the range: the entries want each of them."""
    sql = "SELECT row_id FROM changes WHERE tbl = 'media' AND op = 'insert' AND seq > ?"
    params: tuple = (after,)
    if stamp is not None:
        sql, params = sql + " AND hlc >= ?", (after, stamp)
    return {sha: None for (sha,) in incident.conn.execute(sql + " ORDER BY seq", params)}


def worth_a_process(incident: Incident, after: int) -> bool:
    sql = "SELECT count(*) FROM (SELECT 1 FROM changes WHERE seq > ? LIMIT ?)"
    return incident.conn.execute(sql, (after, CHILD_FROM)).fetchone()[0] >= CHILD_FROM


class EntriesProcess:
    """The entries written by a second process, deflated as the bundle's member, into a file
    in the system's temporary folder (a context manager: the process is stopped and the file
    removed on the way out). A process that cannot start, fails or stops gives None: the
    caller writes the entries."""

    def __init__(self, incident: Incident, after: int, stamp: str | None):
        handle, name = tempfile.mkstemp(prefix="gspace-entries-", suffix=".jsonl")
        os.close(handle)
        self.target = Path(name)
        store = Path(incident.path) / "store.sqlite"
        # a store in a folder this user cannot write is read without its -shm file
        writable = os.access(incident.path, os.W_OK) and os.access(store, os.W_OK)
        mode = "ro" if writable else "ro&immutable=1"
        self.process = side_process.start(__name__, str(store), mode, str(after), stamp or "", name)

    def result(self, cancel=None) -> Written | None:
        """What the process wrote, or None when it failed (write the entries here then);
        Interrupted when `cancel()` says so while waiting."""
        answer = side_process.answer(self.process, cancel, say("export cancelled"))
        try:
            member = answer.pop("member")
            return Written(**answer, member=Member(**member))
        except (TypeError, KeyError, AttributeError):
            return None  # it failed, or was stopped

    def __enter__(self) -> EntriesProcess:
        return self

    def __exit__(self, *_) -> None:
        side_process.stop(self.process)
        self.target.unlink(missing_ok=True)


def _write_file(store: str, mode: str, after: str, stamp: str, target: str):
    """The second process's work: the entries into `target`; what it wrote, as JSON."""

    def work(parent_gone) -> dict:
        uri = f"{Path(store).resolve().as_uri()}?mode={mode}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=5000")
        with open(target, "wb") as f:
            deflated = Deflated(f)  # the zip's member as it is: the export only copies it
            out = HashingWriter(deflated)
            written = write_entries(conn, int(after), stamp or None, out, cancel=parent_gone)
            deflated.close()
            written.member, written.crc = out.member(), deflated.crc
        conn.close()
        return asdict(written)

    return work


if __name__ == "__main__":
    side_process.serve(_write_file(*sys.argv[1:]))
