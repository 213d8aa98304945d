"""Live shelter-status feeds: a prefecture's published list (開設状況, 混雑状況, 避難者数,
更新日時), read as a snapshot that updates the situation of the shelters gspace already has.

A feed never adds features: each row is matched to one stored shelter (the feed's id, then
name and municipality, then name and address, then a name no other shelter has) and updates its
status, evacuees, crowding (and capacity when the feed gives one) and the time of its last
report. The snapshot's own time decides, not the time of the import: a row older than (or as
old as) the report the shelter already has changes nothing, and the write is stamped at the
snapshot's time for sync (`snapshot_stamp`, passed to `records.update_features`), so laptops
that import snapshots in different orders end with the newest one's values. Times without an
offset are read in the incident's time zone. Rows that match no shelter, or several, and rows
that cannot be read are listed, one line each.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path

import orjson

from gspace.catalog import LayerKind, incident_catalog
from gspace.errors import GspaceError
from gspace.ingest.layer_files import _find, read_table
from gspace.ingest.layer_matching import name_key
from gspace.shelters import KIND, parse_time
from gspace.store import records
from gspace.store.incident import Incident
from gspace.store.query import LIVE_FEATURE
from gspace.sync.clock import format_stamp
from gspace.sync.rows import paused_gc

# feed columns beyond the kind's aliases (name, id, address, evacuees, crowding, reported_at...)
STATUS_NAMES = (
    "開設状況",
    "開設状態",
    "開設の状況",
    "避難所開設状況",
    "状況",
    "opening_status",
    "open_status",
    "shelter_status",
    "status",
)
MUNI_NAMES = (
    "市区町村名",
    "市区町村",
    "市町村名",
    "市町村",
    "地方公共団体名",
    "municipality",
    "city",
)
MUNI_CODE_NAMES = (
    "市区町村コード",
    "全国地方公共団体コード",
    "地方公共団体コード",
    "municipality_code",
    "city_code",
    "lg_code",
)

# the words feeds use, after NFKC and casefold, without spaces
STATUS_WORDS = {
    "open": ("開設", "開設中", "開設済", "開設済み", "open", "opened", "opening", "1"),
    "not_opened": ("未開設", "開設準備中", "準備中", "notopened", "notopen", "not_opened", "0"),
    "full": ("満員", "満室", "受入不可", "full"),
    "closed": ("閉鎖", "閉設", "閉所", "閉鎖済", "closed"),
    "unknown": ("不明", "unknown", "-", "―"),
}
CROWDING_WORDS = {
    "empty": (
        "空いています",
        "空いている",
        "空き",
        "空きあり",
        "余裕あり",
        "empty",
        "low",
        "vacant",
    ),
    "moderate": ("やや混雑", "やや混雑しています", "やや混んでいます", "moderate", "medium"),
    "crowded": ("混雑", "混雑しています", "混んでいます", "crowded", "high", "busy"),
    "full": ("満員", "満員です", "受入不可", "full"),
}
_STATUS = {w: s for s, words in STATUS_WORDS.items() for w in words}
_CROWDING = {w: c for c, words in CROWDING_WORDS.items() for w in words}
_TIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*\([^)]*\))?\s*T?\s*"
    r"(?:(\d{1,2})\s*[:時]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}(?:\.\d+)?))?\s*[分秒]?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def _word(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@lru_cache(maxsize=256)
def parse_status(text: str) -> str | None:
    """A feed's 開設状況 as a shelter status (開設 -> open, 未開設 -> not_opened, ...)."""
    return _STATUS.get(_word(text))


@lru_cache(maxsize=256)
def parse_crowding(text: str) -> str | None:
    """A feed's 混雑状況 as a crowding level (空いています -> empty, やや混雑 -> moderate, ...)."""
    return _CROWDING.get(_word(text))


@lru_cache(maxsize=4096)  # a snapshot's rows mostly share a few times
def parse_feed_time(text: str, zone: tzinfo) -> datetime | None:
    """A feed's 更新日時: ISO 8601, 2026/11/30 10:05, 2026年11月30日 10時05分, ...; a time
    without an offset is in `zone`. None when the text is not a time."""
    text = unicodedata.normalize("NFKC", text).strip()
    found = _TIME.match(text)
    if not found:
        return parse_time(text, zone)
    year, month, day, hour, minute, second, offset = found.groups()
    stamp = f"{year}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}:{int(minute or 0):02d}"
    stamp += f":{float(second or 0):09.6f}" + ("+00:00" if offset == "Z" else offset or "")
    return parse_time(stamp, zone)


def snapshot_stamp(when: datetime) -> str:
    """The HLC stamp of a write made at a snapshot's own time (counter 0): the same snapshot
    gives the same stamp on every laptop, and a newer snapshot a later one."""
    return format_stamp(int(when.timestamp() * 1000), 0)


@dataclass
class StatusSummary:
    """What a status import did. `unmatched` and `skipped` are (row number, reason)."""

    path: str
    rows: int = 0
    updated: int = 0
    confirmed: int = 0  # newer, saying what the shelter already says: only its time changed
    older: int = 0  # matched, but not newer than the shelter's last report: nothing changed
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    encoding: str | None = None
    newest: str | None = None  # the newest time in the snapshot
    updated_ids: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per row not used, as `gspace import status` prints them."""
        return [f"{self.path}:{row}: not matched: {why}" for row, why in self.unmatched] + [
            f"{self.path}:{row}: skipped: {why}" for row, why in self.skipped
        ]

    def line(self) -> str:
        return (
            f"{self.rows} rows: {self.updated} shelters updated, {self.confirmed} confirmed, "
            f"{self.older} older than what gspace has (ignored), {len(self.unmatched)} not "
            f"matched, {len(self.skipped)} skipped"
        )


@dataclass
class _Shelter:
    id: str
    name: str
    address: str
    muni_code: str | None
    status: str | None
    source_ids: tuple
    text: str | None  # the stored attributes, decoded only when a row matches the shelter
    _attributes: dict | None = None

    @property
    def attributes(self) -> dict:
        if self._attributes is None:
            self._attributes = orjson.loads(self.text or "{}")
        return self._attributes

    @attributes.setter
    def attributes(self, value: dict) -> None:
        self._attributes = value


class _Index:
    """The stored shelters by the keys a feed row is matched on."""

    def __init__(self, shelters: list[_Shelter]):
        self.by_id: dict[str, list[_Shelter]] = defaultdict(list)
        self.by_name: dict[str, list[_Shelter]] = defaultdict(list)
        for shelter in shelters:
            for source_id in set(shelter.source_ids) - {None, ""}:
                self.by_id[str(source_id)].append(shelter)
            if shelter.name:
                self.by_name[name_key(shelter.name)].append(shelter)

    def find(
        self, name: str, source_id: str, address: str, codes: frozenset[str] | set[str] | None
    ) -> tuple[_Shelter | None, str]:
        """The one shelter a row means, or None and why not."""
        key = name_key(name) if name else ""
        if source_id:
            found = [s for s in self.by_id.get(source_id, ()) if not key or name_key(s.name) == key]
            if len(found) == 1:
                return found[0], ""
        if not key:
            return None, f"no shelter has the id {source_id!r}"
        named = self.by_name.get(key, [])
        if codes is not None:
            named = [s for s in named if s.muni_code in codes]
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1 and address:
            same = [s for s in named if _word(s.address) == _word(address)]
            if len(same) == 1:
                return same[0], ""
        where = " in that municipality" if codes is not None else ""
        if not named:
            return None, f"no shelter is called {name!r}{where}"
        return None, f"{len(named)} shelters are called {name!r}{where} (give an id or address)"


def _load(incident: Incident, kind: str) -> list[_Shelter]:
    rows = incident.conn.execute(
        "SELECT id, name, address, muni_code, status, attributes, "
        "json_extract(attributes, '$._source_id'), json_extract(attributes, '$._imported.id') "
        f"FROM features WHERE kind = ? AND {LIVE_FEATURE} ORDER BY fid",
        (kind,),
    )
    return [
        _Shelter(i, n or "", a or "", m, s, (id1, id2), text)
        for i, n, a, m, s, text, id1, id2 in rows
    ]


def _municipality_codes(row: dict, columns: Mapping[str, str | None]) -> set[str] | None:
    """The municipalities a row names (a code, or a name; None: it names none gspace knows)."""
    code = unicodedata.normalize("NFKC", str(row.get(columns["muni_code"] or "", ""))).strip()
    if code.isdigit() and len(code) in (5, 6):
        return {code[:5]}  # 6 digits: the national code with its check digit
    return _codes_named(str(row.get(columns["muni"] or "", "")).strip())


@cache
def _codes_named(name: str) -> frozenset[str] | None:
    from gspace.municipalities import find

    try:
        return frozenset(m.code for m in find(name)) if name else None
    except GspaceError:
        return None


def import_status(
    incident: Incident,
    path: str | Path,
    *,
    encoding: str | None = None,
    kind: str = KIND,
    catalog: Mapping[str, LayerKind] | None = None,
) -> StatusSummary:
    """Update the stored shelters from one status snapshot (CSV or JSON), in one transaction.
    Raises GspaceError (nothing changed) for a file that cannot be read or has no name/id
    column or nothing a feed says (status, evacuees, crowding)."""
    path = Path(path)
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    known = catalog.get(kind)
    if known is None:
        raise GspaceError(f"no layer kind {kind!r} in the catalog")
    table = read_table(path, encoding)
    summary = StatusSummary(path.name, encoding=table.encoding)
    summary.skipped += table.skipped
    columns = {
        "name": _find(table.columns, known.aliases.get("name", ())),
        "id": _find(table.columns, known.aliases.get("id", ())),
        "address": _find(table.columns, known.aliases.get("address", ())),
        "status": _find(table.columns, STATUS_NAMES),
        "evacuees": _find(table.columns, known.aliases.get("evacuees", ())),
        "capacity": _find(table.columns, known.aliases.get("capacity", ())),
        "crowding": _find(table.columns, known.aliases.get("crowding", ())),
        "time": _find(table.columns, known.aliases.get("reported_at", ())),
        "muni": _find(table.columns, MUNI_NAMES),
        "muni_code": _find(table.columns, MUNI_CODE_NAMES),
    }
    if not (columns["name"] or columns["id"]):
        raise GspaceError(
            f"{path.name}: no shelter name or id column (e.g. 避難所名, shelter_name); "
            f"columns: {', '.join(table.columns)}"
        )
    if not (columns["status"] or columns["evacuees"] or columns["crowding"]):
        raise GspaceError(
            f"{path.name}: no 開設状況 / opening_status, 避難者数 / evacuees or 混雑状況 / "
            "crowding column: not a shelter-status list"
        )
    if not columns["time"]:
        raise GspaceError(f"{path.name}: no 更新日時 / updated_at column: the snapshot has no time")
    index = _Index(_load(incident, kind))
    evacuee_type, capacity_type = known.field_type("evacuees"), known.field_type("capacity")
    zone = incident.timezone
    claimed: dict[str, int] = {}
    newest: datetime | None = None
    writes: list[tuple[str, str, dict]] = []
    with incident.transaction(), paused_gc():  # 10,000 shelters' dicts make no cycles
        for row in table.rows:
            summary.rows += 1
            number = row["_row"]

            def cell(role: str, row=row) -> str:
                column = columns[role]
                return str(row.get(column) or "").strip() if column else ""

            name, source_id = cell("name"), cell("id")
            if not name and not source_id:
                summary.skipped.append((number, "no shelter name or id"))
                continue
            when = parse_feed_time(cell("time"), zone) if cell("time") else None
            if when is None:
                summary.skipped.append((number, f"no usable update time ({cell('time')!r})"))
                continue
            changes: dict = {}
            problem = None
            if text := cell("status"):
                changes["status"] = parse_status(text)
                problem = None if changes["status"] else f"unknown opening status {text!r}"
            if (text := cell("crowding")) and problem is None:
                if parse_crowding(text) is None:
                    problem = f"unknown crowding {text!r}"
                changes["crowding"] = parse_crowding(text)
            for role, field_type in (("evacuees", evacuee_type), ("capacity", capacity_type)):
                if (text := cell(role)) and problem is None:
                    try:
                        changes[role] = field_type.parse(role, text)
                    except GspaceError as e:
                        problem = str(e)
            if problem:
                summary.skipped.append((number, problem))
                continue
            shelter, why = index.find(
                name, source_id, cell("address"), _municipality_codes(row, columns)
            )
            if shelter is None:
                summary.unmatched.append((number, why))
                continue
            if shelter.id in claimed:
                summary.skipped.append(
                    (number, f"the same shelter as row {claimed[shelter.id]}: ignored")
                )
                continue
            claimed[shelter.id] = number
            if newest is None or when > newest:
                newest = when
            _apply(incident, shelter, changes, when, summary, writes)
        # one batched write: each shelter is written once (claimed), so none reads another's
        records.update_features(incident, writes)
    summary.newest = newest.isoformat(timespec="seconds") if newest else None
    _log(incident, path, summary)
    return summary


def _apply(
    incident: Incident,
    shelter: _Shelter,
    changes: dict,
    when: datetime,
    summary: StatusSummary,
    writes: list[tuple[str, str, dict]],
) -> None:
    """Queue one row's situation in `writes` (records.update_features) unless the shelter has
    a report as new or newer."""
    iso = _iso(when)
    current = parse_time(shelter.attributes.get("reported_at"), incident.timezone)
    if current is not None and current >= when:
        summary.older += 1
        return
    status = changes.pop("status", None)
    attributes = {**shelter.attributes, **changes, "reported_at": iso}
    write: dict = {}
    if status and status != shelter.status:
        write["status"] = status
    if attributes != shelter.attributes:
        write["attributes"] = attributes
    said_the_same = all(shelter.attributes.get(k) == v for k, v in changes.items()) and (
        status in (None, shelter.status)
    )
    writes.append((shelter.id, snapshot_stamp(when), write))
    shelter.attributes, shelter.status = attributes, write.get("status", shelter.status)
    if said_the_same:
        summary.confirmed += 1
    else:
        summary.updated += 1
        summary.updated_ids.append(shelter.id)


@lru_cache(maxsize=1024)
def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _log(incident: Incident, path: Path, summary: StatusSummary) -> None:
    now = incident.now()
    with incident.transaction():
        incident.conn.executemany(
            "INSERT INTO import_log (run_id, at, importer, path, outcome, reason, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (None, now, "status", f"{path}:{row}", outcome, reason, None)
                for outcome, rows in (
                    ("not matched", summary.unmatched),
                    ("skipped", summary.skipped),
                )
                for row, reason in rows
            ]
            + [(None, now, "status", str(path), "imported", summary.line(), None)],
        )
