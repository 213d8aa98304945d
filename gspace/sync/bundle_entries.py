"""A bundle's entries (`entries.jsonl`): written by the exporting process, or, for a large
bundle, by a second process into a file while the exporting one copies the photos into the zip.

Making the entries is Python's work (the log replayed, inserts rebuilt from their rows, JSON);
copying the photos is the disk's and the hashes' (both release the GIL, but a thread beside
Python's work waits for it at every chunk). In two processes they take the time of the longer
instead of their sum. The photos copied meanwhile are those the entries certainly want (the
photos' own insert entries in the range); any other photo an entry names is copied after.
The second process is a new interpreter running this module (`python -m`), which loads only
what reading the log needs: not the incident's modules (sqlite_utils loads numpy, and pandas
where it is installed), nor the program that started the export (a spawned multiprocessing
child runs the parent's main module again). It still costs a few tenths of a second to start,
so it is used from `CHILD_FROM` entries on. If it fails for any reason, the entries are
written here as for a small bundle.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

import gspace
from gspace.errors import Interrupted
from gspace.sync.bundle_format import HashingWriter, Member, is_hash
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
    """The entries written by a second process into a file in the system's temporary folder
    (a context manager: the process is stopped and the file removed on the way out). A
    process that cannot start, fails or stops gives None: the caller writes the entries."""

    def __init__(self, incident: Incident, after: int, stamp: str | None):
        handle, name = tempfile.mkstemp(prefix="gspace-entries-", suffix=".jsonl")
        os.close(handle)
        self.target, self.process = Path(name), None
        if getattr(sys, "frozen", False) or not sys.executable:  # a frozen build's executable
            return  # is the program itself
        store = Path(incident.path) / "store.sqlite"
        # a store in a folder this user cannot write is read without its -shm file
        writable = os.access(incident.path, os.W_OK) and os.access(store, os.W_OK)
        # this gspace, wherever the parent found it (a source tree, a test's path)
        where = str(Path(gspace.__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (where, os.environ.get("PYTHONPATH")))),
            # glibc hands the memory of each 2,000 entries back and faults it in again for the
            # next (5,000 brk calls and 0.6 s of the kernel's time for 100,000 entries): the
            # process keeps 64 MB at the top of its heap instead
            "MALLOC_TOP_PAD_": str(64 << 20),
        }
        mode = "ro" if writable else "ro&immutable=1"
        command = [sys.executable, "-m", __name__, str(store), mode, str(after), stamp or "", name]
        with suppress(OSError):  # no process to be had: the caller writes the entries
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # it says why it failed in one word, on stdout
                env=env,
                start_new_session=True,  # Ctrl-C in the terminal is the export's to answer
            )

    def result(self, cancel=None) -> Written | None:
        """What the process wrote, or None when it failed (write the entries here then);
        Interrupted when `cancel()` says so while waiting."""
        if self.process is None:
            return None
        while True:
            if cancel and cancel():
                raise Interrupted(say("export cancelled"))
            try:
                said, _ = self.process.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:  # communicate() again loses nothing it read
                pass
        try:
            answer = orjson.loads(said)
            member = answer.pop("member")
            written = Written(**answer, member=Member(**member))
        except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
            return None  # it failed, or was stopped
        return written if self.process.returncode == 0 else None

    def __enter__(self) -> EntriesProcess:
        return self

    def __exit__(self, *_) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.communicate()
        self.target.unlink(missing_ok=True)


def main(store: str, mode: str, after: str, stamp: str, target: str) -> int:
    """The second process: the entries into `target`, what it wrote as JSON on stdout. It
    stops when the exporting process is gone, and says why it failed in one word rather than
    printing a traceback."""
    parent = os.getppid()
    try:
        uri = f"{Path(store).resolve().as_uri()}?mode={mode}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=5000")
        with open(target, "wb") as f:
            out = HashingWriter(f)
            written = write_entries(
                conn, int(after), stamp or None, out, cancel=lambda: os.getppid() != parent
            )
            written.member = out.member()
        conn.close()
        answer, status = asdict(written), 0
    except BaseException as e:  # noqa: BLE001 - the parent writes the entries itself then
        answer, status = {"failed": type(e).__name__}, 1
    with suppress(OSError):  # the parent may be gone
        sys.stdout.buffer.write(orjson.dumps(answer))
    return status


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(main(*sys.argv[1:]))
