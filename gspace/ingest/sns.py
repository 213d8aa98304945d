"""Importing SNS posts as reports.

Each post is placed as precisely as it allows (DESIGN.md location sources, best first): the
post's own coordinates (`post`), the centre of the place it was tagged with (`place`, accuracy
half the box's diagonal), a place named in its text (`geoparsed`, see gazetteer.py), or nowhere
(`none`). Its categories come from the keyword dictionary (classify.py).

A repost (retweet, boost) or an exact copy of a post's text attaches to the original's report
(a `reposts` row, and the original's `properties.reposts` count) instead of becoming a report.
A post already in the incident (same URL or id) is counted and left alone, so importing a file
twice adds nothing. Bad records are skipped with a reason; the rest is written in batches, one
transaction each, so a killed import keeps every batch it finished.

For JSONL files (the hot path of a million-post import), worker processes parse, place,
classify and prepare the reports while the main process only checks for duplicates and writes;
other files are read in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import islice
from pathlib import Path

import orjson

from gspace.errors import check_file
from gspace.geo import distance_m
from gspace.ingest import sns_formats
from gspace.ingest.classify import default_classifier, fold
from gspace.ingest.digests import DigestIndex, digest_of_folded
from gspace.ingest.gazetteer import default_gazetteer
from gspace.ingest.interrupt import worker_pool
from gspace.ingest.sns_formats import Post, Skip
from gspace.store import records
from gspace.store.incident import Incident

BATCH = 5000
CHUNK_LINES = 2000  # JSONL lines a worker parses at a time
REASONS_KEPT = 1000  # skip reasons kept in memory for the summary (all go to the import log)


@dataclass
class SnsSummary:
    formats: dict[str, str] = field(default_factory=dict)  # file -> format
    imported: int = 0
    located: Counter = field(default_factory=Counter)  # location_source -> count
    reposts: int = 0  # reposts and copies attached to an original
    already: int = 0
    skipped: int = 0
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (where, why), the first ones
    cancelled: bool = False

    def skip(self, where: str, reason: str) -> None:
        self.skipped += 1
        if len(self.reasons) < REASONS_KEPT:
            self.reasons.append((where, reason))

    def kept(self) -> int:
        """Posts of the files that are in the incident now (new, attached or there before)."""
        return self.imported + self.reposts + self.already

    def line(self) -> str:
        placed = ", ".join(
            f"{self.located[s]} {s}" for s in ("post", "place", "geoparsed") if self.located[s]
        )
        text = (
            f"{self.imported} imported ({placed or 'none'} placed, {self.located['none']} "
            f"without a location), {self.reposts} reposts attached, {self.already} already "
            f"imported, {self.skipped} skipped"
        )
        return text + (" — cancelled" if self.cancelled else "")


# -- one post -> one report row --------------------------------------------------------------
def report_row(post: Post) -> dict:
    """The report for a post: location, categories, severity; properties say where it came
    from and why it is placed where it is."""
    properties: dict = {"network": post.network}
    for name in ("url", "post_id", "author_name", "place"):
        value = getattr(post, name)
        if value:
            properties[name] = value
    lon, lat, accuracy, source = post.lon, post.lat, None, "none"
    if lon is not None:
        source = "post"
    elif post.place_bbox:
        w, s, e, n = post.place_bbox
        lon, lat, source = (w + e) / 2, (s + n) / 2, "place"
        accuracy = round(distance_m(w, s, e, n) / 2, 1)
    else:
        place, note = default_gazetteer().locate(post.text)
        if place:
            lon, lat, accuracy, source = place.lon, place.lat, place.accuracy_m, "geoparsed"
            properties["place_name"] = place.name
        elif note:
            properties["location_note"] = note
    classifier, folded = default_classifier(), fold(post.text)
    categories = classifier.categories_of_folded(folded)
    return {
        "id": records.post_id(post.key, post.observed_at),
        "kind": "sns",
        "lon": lon,
        "lat": lat,
        "location_source": source,
        "accuracy_m": accuracy,
        "observed_at": post.observed_at,
        "author": post.author or post.author_name,
        "text": post.text,
        "category": ",".join(categories),
        "severity": classifier.severity(categories),
        "source": post.key,
        "properties": properties,
        "digest": digest_of_folded(folded),
    }


def resolve(items: Iterable[Post | Skip], received_at: str) -> list[list]:
    """What the writer needs of a run of reader items, as compact lists (they travel back
    from the worker processes as one JSON document):
        ["skip", where, reason]
        ["repost", where, source, original's source, author, observed_at]
        ["post", where, report cells in records.REPORT_COLUMNS order]
    The reports are prepared here (records.prepare_reports), so that the writing process only
    writes."""
    out: list = []
    rows, slots = [], []
    for item in items:
        if isinstance(item, Skip):
            out.append(["skip", item.where, item.reason])
        elif item.repost_of:
            author = item.author or item.author_name
            out.append(["repost", item.where, item.key, item.repost_of, author, item.observed_at])
        else:
            slots.append(len(out))
            rows.append(report_row(item))
            out.append(item.where)
    for slot, cells in zip(slots, records.prepare_reports(rows, received_at), strict=True):
        out[slot] = ["post", out[slot], cells]
    return out


@dataclass
class SnsPreview:
    """What an import of some files would bring, from their first records."""

    formats: dict[str, str] = field(default_factory=dict)
    posts: int = 0
    located: Counter = field(default_factory=Counter)  # location_source -> posts
    reposts: int = 0
    skipped: int = 0
    sample: list[Post] = field(default_factory=list)
    complete: bool = True  # False when only the first `limit` records of a file were read


def preview(
    paths: Iterable[str | Path],
    fmt: str = "auto",
    *,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    limit: int = 20000,
    sample: int = 50,
) -> SnsPreview:
    """Count what the first `limit` records of each file hold, and keep a few posts to show.
    Raises GspaceError for a file that cannot be read at all."""
    result = SnsPreview()
    for path in map(Path, paths):
        chosen, items = sns_formats.open_posts(path, fmt, mapping=mapping, encoding=encoding)
        result.formats[str(path)] = chosen
        for n, item in enumerate(items):
            if n >= limit:
                result.complete = False
                break
            if isinstance(item, Skip):
                result.skipped += 1
            elif item.repost_of:
                result.reposts += 1
            else:
                result.posts += 1
                result.located[report_row(item)["location_source"]] += 1
                if len(result.sample) < sample:
                    result.sample.append(item)
    return result


# -- reading files into rows -----------------------------------------------------------------
def _rows_of_file(
    path: Path, fmt: str, items: Iterator, zone: tzinfo, options: dict, jobs: int, read: list[int]
) -> Iterator[tuple]:
    """resolve() for the posts of one file (`items`, read in this process, or JSONL lines
    handed to workers); `read[0]` follows the bytes read so far."""
    if fmt != "csv" and jobs > 1 and sns_formats.one_per_line(path):
        yield from _parallel_rows(path, fmt, zone, options, jobs, read)
        return
    while chunk := list(islice(items, CHUNK_LINES)):
        yield from resolve(chunk, options["received_at"])


def _chunk_rows(lines: list[bytes], first: int, fmt: str, zone: tzinfo, options) -> bytes:
    """Worker: resolve() for a run of JSONL lines starting at line `first`, as JSON (several
    times faster to send than the pickled lists)."""
    items = sns_formats.posts_of_lines(lines, first, fmt, zone=zone, mapping=options["mapping"])
    return orjson.dumps(resolve(items, options["received_at"]))


def _parallel_rows(
    path: Path, fmt: str, zone: tzinfo, options: dict, jobs: int, read: list[int]
) -> Iterator[tuple]:
    """Workers parse, classify and geoparse chunks of lines; results come back in order, with
    a few chunks in flight so that memory stays flat."""
    # the workers' objects are freed as each chunk is done: the cycle collector only costs time
    pool = worker_pool(jobs, initializer=gc.disable)
    with pool, path.open("rb") as f:
        window, line_no = [], 1
        try:
            while lines := list(islice(f, CHUNK_LINES)):
                window.append(pool.submit(_chunk_rows, lines, line_no, fmt, zone, options))
                line_no += len(lines)
                read[0] = f.tell()
                if len(window) >= 2 * jobs:
                    yield from orjson.loads(window.pop(0).result())
            for future in window:
                yield from orjson.loads(future.result())
        finally:
            for future in window:
                future.cancel()


# -- writing ---------------------------------------------------------------------------------
_ID, _SOURCE, _DIGEST, _LOCATED, _AUTHOR, _OBSERVED = (
    records.REPORT_COLUMNS.index(c)
    for c in ("id", "source", "digest", "location_source", "author", "observed_at")
)


class _Writer:
    def __init__(self, incident: Incident, summary: SnsSummary):
        self.incident, self.summary = incident, summary
        self.run_id = str(uuid.uuid4())
        self.digests = DigestIndex(incident.conn)

    def write(self, rows: list[list], path: str) -> None:
        """One transaction: new reports, attached reposts and copies, skips in the log."""
        inc, summary = self.incident, self.summary
        sources = {_source(r) for r in rows if r[0] != "skip"}
        with inc.transaction():
            known = dict(
                self._select("SELECT source, id FROM reports WHERE source", sources)
                + self._select("SELECT source, report_id FROM reposts WHERE source", sources)
            )
            copies = self._copied({r[2][_DIGEST] for r in rows if r[0] == "post" and r[2][_DIGEST]})
            new, attach, log = [], [], []
            for row in rows:
                tag = row[0]
                if tag == "skip":
                    where = f"{path}:{row[1]}"
                    summary.skip(where, row[2])
                    log.append((where, "skipped", row[2]))
                    continue
                source = _source(row)
                if source in known:
                    summary.already += 1
                    continue
                if tag == "repost":
                    original = known.get(row[3])
                    if not original:
                        where, reason = (
                            f"{path}:{row[1]}",
                            f"a repost of {row[3]}, which is not in the incident",
                        )
                        summary.skip(where, reason)
                        log.append((where, "skipped", reason))
                        continue
                    attach.append(_repost(source, original, "repost", row[4], row[5]))
                    known[source] = original
                    continue
                cells = row[2]
                digest = cells[_DIGEST]
                if digest in copies:
                    original = copies[digest]
                    attach.append(
                        _repost(source, original, "copy", cells[_AUTHOR], cells[_OBSERVED])
                    )
                    known[source] = original
                    continue
                known[source] = cells[_ID]
                if digest:
                    copies[digest] = cells[_ID]
                new.append(cells)
                summary.located[cells[_LOCATED]] += 1
            first = records.insert_prepared(inc, new)
            if attach:
                records.add_reposts(inc, attach)
                records.count_reposts(inc, {a["report_id"] for a in attach})
            inc.conn.executemany(
                "INSERT INTO import_log (run_id, at, importer, path, outcome, reason, record_id)"
                " VALUES (?, ?, 'sns', ?, ?, ?, NULL)",
                [(self.run_id, inc.now(), w, outcome, why) for w, outcome, why in log],
            )
        for rid, cells in enumerate(new, start=first):
            if cells[_DIGEST]:
                self.digests.add(cells[_DIGEST], rid)
        summary.imported += len(new)
        summary.reposts += len(attach)

    def _select(self, select: str, values: Iterable) -> list[tuple]:
        """`select` ... IN (values), 10,000 values a query."""
        values_list, rows = list(values), []
        for start in range(0, len(values_list), 10000):
            part = values_list[start : start + 10000]
            sql = f"{select} IN ({', '.join('?' * len(part))})"
            rows += self.incident.conn.execute(sql, part).fetchall()
        return rows

    def _copied(self, digests: set[str]) -> dict[str, str]:
        """digest -> id of the report each digest is a copy of."""
        candidates = self.digests.find(digests)
        stored = {
            rid: (report_id, digest)
            for rid, report_id, digest in self._select(
                "SELECT rid, id, digest FROM reports WHERE deleted = 0 AND rid", candidates.values()
            )
        }
        return {d: stored[r][0] for d, r in candidates.items() if stored.get(r, ("", ""))[1] == d}


def _source(row: list) -> str:
    """The source of a repost or post row (see resolve)."""
    return row[2] if row[0] == "repost" else row[2][_SOURCE]


def _repost(source: str, original: str, via: str, author, observed_at) -> dict:
    return {
        "source": source,
        "report_id": original,
        "via": via,
        "author": author,
        "observed_at": observed_at,
    }


def import_sns(
    incident: Incident,
    paths: Iterable[str | Path],
    *,
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SnsSummary:
    """Import the posts of `paths`. `progress(bytes done, bytes in all, path)` is called after
    each batch; when `cancelled()` turns true the import stops after the batch it is writing
    (every batch written stays). Raises GspaceError for a file that cannot be read at all (every
    file is checked before anything is imported)."""
    paths = [Path(p) for p in paths]
    for path in paths:
        check_file(path)
    summary = SnsSummary()
    writer = _Writer(incident, summary)
    jobs = jobs or min(2, multiprocessing.cpu_count())
    total = sum(p.stat().st_size for p in paths) or 1
    done = 0
    with incident.bulk():
        for path in paths:
            zone = incident.timezone
            chosen, items = sns_formats.open_posts(
                path, fmt, zone=zone, mapping=mapping, encoding=encoding
            )
            summary.formats[str(path)] = chosen
            read = [0]
            options = {"mapping": mapping, "received_at": incident.now()}
            rows = _rows_of_file(path, chosen, items, zone, options, jobs, read)
            while batch := list(islice(rows, BATCH)):
                writer.write(batch, str(path))
                if progress:
                    progress(done + read[0], total, str(path))
                if cancelled and cancelled():
                    summary.cancelled = True
                    rows.close()
                    return summary
            done += path.stat().st_size
            if progress:
                progress(done, total, str(path))
    return summary


def count_records(paths: Iterable[str | Path]) -> int | None:
    """How many records the files hold, when that is cheap to know (JSONL: its non-blank
    lines); None for other formats. Said when an import is interrupted ("… of N kept")."""
    total = 0
    for path in map(Path, paths):
        if path.suffix.lower() in sns_formats.TABLE_SUFFIXES or not sns_formats.one_per_line(path):
            return None
        with path.open("rb") as f:
            total += sum(1 for line in f if line.strip())
    return total
