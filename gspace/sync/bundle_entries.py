"""A bundle's entries (`entries.jsonl`): written by the exporting process, or, for a large
bundle, by a second process into a file while the exporting one copies the photos into the zip.

Making the entries is Python's work (the log replayed, inserts rebuilt from their rows, JSON);
copying the photos is the disk's and the hashes' (both release the GIL, but a thread beside
Python's work waits for it at every chunk). In two processes they take the time of the longer
instead of their sum. The photos copied meanwhile are those the entries certainly want (the
photos' own insert entries in the range); any other photo an entry names is copied after.
A second process costs half a second to start: it is used from `CHILD_FROM` entries on.
If it fails for any reason, the entries are written here as for a small bundle.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from gspace.errors import Interrupted
from gspace.store.incident import Incident
from gspace.sync.bundle_format import HashingWriter, Member, is_hash
from gspace.sync.bundle_text import say
from gspace.sync.rows import paused_gc

CHILD_FROM = 20_000  # entries after which a second process writes them


@dataclass
class Written:
    entries: int = 0
    first: int | None = None  # local seq of the first entry written
    last: int | None = None
    top: int = 0  # the newest local seq read (also those left out by the date)
    wanted: dict[str, None] = field(default_factory=dict)  # photo hashes, in order
    member: Member | None = None


def write_entries(incident: Incident, after: int, stamp: str | None, out, progress=None,
                  cancel=None) -> Written:  # fmt: skip
    """Every entry after local seq `after` (and, with `stamp`, not older than it) as JSON
    lines through `out`, 2,000 lines a write; the photos they need in `wanted`."""
    from gspace.sync.changes import outgoing

    written, lines = Written(top=after), []
    with paused_gc():
        for seq, entry in outgoing(incident, after):
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
        self.target = Path(name)
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_child,
            args=(str(incident.path), after, stamp, name, writer),
            name="gspace-bundle-entries",
            daemon=True,
        )
        try:
            self._start()
        except (OSError, RuntimeError):  # no process to be had (a frozen build, no resources)
            self.process = None
        writer.close()

    def _start(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.process.start()
            return
        # the process starts ignoring Ctrl-C (the command's own handler answers it)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.process.start()
        finally:
            signal.signal(signal.SIGINT, previous)

    def result(self, cancel=None) -> Written | None:
        """What the process wrote, or None when it failed (write the entries here then);
        Interrupted when `cancel()` says so while waiting."""
        if self.process is None:
            return None
        while not self.reader.poll(0.2):
            if cancel and cancel():
                raise Interrupted(say("export cancelled"))
        try:
            outcome, written = self.reader.recv()
        except (EOFError, OSError):
            return None
        self.process.join()
        return written if outcome == "ok" else None

    def __enter__(self) -> EntriesProcess:
        return self

    def __exit__(self, *_) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
        self.reader.close()
        self.target.unlink(missing_ok=True)


def _child(path: str, after: int, stamp: str | None, target: str, conn) -> None:
    """Runs in the second process: it stops when the exporting process is gone, and says
    why it failed in one word rather than printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        with Incident.open(path, write=False) as incident, open(target, "wb") as f:
            out = HashingWriter(f)
            written = write_entries(
                incident, after, stamp, out, cancel=lambda: os.getppid() != parent
            )
            written.member = out.member()
        outcome = ("ok", written)
    except BaseException as e:  # noqa: BLE001 - the parent writes the entries itself then
        outcome = ("failed", type(e).__name__)
    with suppress(Exception):  # the parent may be gone
        conn.send(outcome)
    with suppress(Exception):
        conn.close()
