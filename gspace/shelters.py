"""Shelter operations: each shelter's situation, summed up for the HQ, and written back.

A shelter's situation is a set of typed fields of the `shelter` kind (layers/shelter.toml):
`evacuees`, `capacity`, `crowding`, one flat `need_<what>` key per need (urgency none / needed /
urgent) and `need_other` (free text), the person in charge (`manager`) and their `contact`, and
the time of the last report (`reported_at`, ISO 8601 with offset). The keys are flat because
sync merges a feature's attributes key by key: two laptops that report different needs of one
shelter both keep theirs. A city that adds a need to its own shelter.toml (a choice field named
`need_...`) sees it here without a change of code.

`overview()` reads every shelter once (the few columns it needs) and computes each one's state;
`refresh()` reads again only the shelters just written and sums the totals anew, which is what
a window calls after an edit (`shelter_state()` and `totals()` are its parts).
`set_situation()` writes a situation through the change log and returns what it replaced, so
the caller can undo it by writing that back.

    >>> view = overview(incident, stale_hours=6)
    >>> view.total.evacuees, view.by_municipality["43101"].open
    >>> undo = set_situation(incident, shelter_id, status="open", fields={"evacuees": "120"})
    >>> set_situation(incident, shelter_id, **undo)  # back as it was
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import orjson

from gspace.catalog import LayerKind, incident_catalog, set_fields
from gspace.errors import GspaceError
from gspace.labels import local_time
from gspace.municipalities import name_of
from gspace.store import records
from gspace.store.incident import Incident
from gspace.store.query import LIVE_FEATURE

KIND = "shelter"
STATUSES = ("not_opened", "open", "full", "closed", "unknown")
IN_OPERATION = ("open", "full")  # shelters with people in them: their reports can go stale
CROWDING = ("empty", "moderate", "crowded", "full")
URGENCIES = ("none", "needed", "urgent")
NEED_PREFIX = "need_"
NEED_OTHER = "need_other"
# the needs of the built-in shelter.toml, in the order lists show them
NEEDS = ("water", "food", "blankets", "medical", "toilets", "power")
PRIVATE_FIELDS = ("manager", "contact")  # staff names and contacts: never in a public export

LABELS: dict[str, dict[str, str]] = {
    # crowding
    "empty": {"ja": "空いている", "en": "Not crowded"},
    "moderate": {"ja": "やや混雑", "en": "Somewhat crowded"},
    "crowded": {"ja": "混雑", "en": "Crowded"},
    "full": {"ja": "満員", "en": "Full"},
    # urgency
    "none": {"ja": "不要", "en": "None"},
    "needed": {"ja": "必要", "en": "Needed"},
    "urgent": {"ja": "至急", "en": "Urgent"},
    # needs
    "water": {"ja": "水", "en": "Water"},
    "food": {"ja": "食料", "en": "Food"},
    "blankets": {"ja": "毛布", "en": "Blankets"},
    "medical": {"ja": "医療", "en": "Medical care"},
    "toilets": {"ja": "トイレ", "en": "Toilets"},
    "power": {"ja": "電源", "en": "Power"},
    "other": {"ja": "その他", "en": "Other"},
    # fields
    "evacuees": {"ja": "避難者数", "en": "Evacuees"},
    "capacity": {"ja": "収容人数", "en": "Capacity"},
    "occupancy": {"ja": "収容率", "en": "Occupancy"},
    "free": {"ja": "空き", "en": "Free places"},
    "crowding": {"ja": "混雑状況", "en": "Crowding"},
    "needs": {"ja": "必要な物資・支援", "en": "Needs"},
    "manager": {"ja": "担当者", "en": "Person in charge"},
    "contact": {"ja": "連絡先", "en": "Contact"},
    "reported_at": {"ja": "最終報告", "en": "Last report"},
    "age": {"ja": "経過", "en": "Age"},
    "stale": {"ja": "報告が古い", "en": "Report is old"},
    "age_hours": {"ja": "経過時間（時間）", "en": "Hours since report"},
    "phone": {"ja": "電話番号", "en": "Phone"},
    "hours": {"ja": "利用時間", "en": "Hours"},
    "supply_method": {"ja": "給水方法", "en": "Supply method"},
}


def label(word: str, lang: str) -> str:
    """A crowding, urgency, need or field word in `lang` ("ja" or "en"); unknown words as
    they are (a city's own need keeps its key)."""
    return LABELS.get(word, {}).get(lang) or word


def need_keys(kind: LayerKind | None) -> tuple[str, ...]:
    """The needs (without the `need_` prefix) a shelter kind declares: its choice fields named
    `need_...`, in the order of its `fields`; the built-in needs when there is no kind."""
    if kind is None:
        return NEEDS
    return tuple(
        name.removeprefix(NEED_PREFIX)
        for name in kind.fields
        if name.startswith(NEED_PREFIX) and kind.field_type(name).type == "choice"
    )


@dataclass(frozen=True)
class ShelterState:
    """One shelter as the overview shows it. Numbers are None where the shelter does not say."""

    id: str
    name: str
    address: str
    status: str
    muni_code: str | None
    municipality: str | None  # qualified name (熊本県熊本市東区)
    lon: float | None
    lat: float | None
    evacuees: int | None
    capacity: int | None
    occupancy: float | None  # evacuees / capacity, per cent
    free: int | None  # free places: capacity - evacuees, never below 0
    crowding: str | None  # one of CROWDING (or the text a person entered)
    needs: dict[str, str]  # open needs: need -> "needed" / "urgent"; "other" -> free text
    urgent: bool  # some need is urgent
    manager: str | None
    contact: str | None
    phone: str | None
    reported_at: str | None  # ISO 8601 with offset
    age_hours: float | None  # since reported_at, at the overview's `now`
    stale: bool  # in operation, and no report within the chosen age

    @property
    def has_room(self) -> bool:
        """Open, not full, and free places left (or a capacity it does not give)."""
        return (
            self.status == "open"
            and self.crowding != "full"
            and (self.free is None or self.free > 0)
        )


@dataclass
class Totals:
    """Sums over some shelters. `open` counts shelters with status open, `in_operation` open
    or full; capacity and free places are summed over shelters that are open."""

    shelters: int = 0
    open: int = 0
    in_operation: int = 0
    evacuees: int = 0
    capacity: int = 0
    free: int = 0
    urgent: int = 0  # shelters with an urgent need
    stale: int = 0

    def add(self, state: ShelterState) -> None:
        self.shelters += 1
        self.evacuees += state.evacuees or 0
        self.in_operation += state.status in IN_OPERATION
        self.urgent += state.urgent
        self.stale += state.stale
        if state.status == "open":
            self.open += 1
            self.capacity += state.capacity or 0
            self.free += state.free or 0


@dataclass
class Overview:
    shelters: list[ShelterState]
    by_municipality: dict[str | None, Totals]  # muni_code (None: outside every one) -> totals
    total: Totals
    now: datetime
    stale_hours: float | None = None
    names: dict[str | None, str] = field(default_factory=dict)  # muni_code -> qualified name


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_time(text: str | None, zone: tzinfo) -> datetime | None:
    """An ISO 8601 time (a time without an offset is in `zone`); None when it is not one."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).strip().replace("/", "-"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def time_text(text: str | None, zone: tzinfo) -> str:
    """A stored time ("2026-11-30T02:03:42+00:00") as the window shows every time, in the
    incident's zone: "2026-11-30 11:03 JST". Text that is not a time is returned as it is (it is
    shown, not lost)."""
    when = parse_time(text, zone)
    if when is None:
        return "" if text is None else str(text)
    return local_time(when.isoformat(), zone)


AGE_UNITS = {  # minutes; hours and minutes; days and hours
    "ja": ("{}分", "{}時間{}分", "{}日{}時間"),
    "en": ("{} min", "{} h {} min", "{} d {} h"),
}


def age_text(seconds: float | None, lang: str | None = "en") -> str:
    """How long ago a shelter last reported, short: 40 min, 5 h 10 min, 2 d 3 h (in Japanese
    40分, 5時間10分, 2日3時間). Minutes under an hour, hours and minutes under two days, then
    days and hours. None (never reported) is a dash."""
    if seconds is None:
        return "-"
    short, medium, long = AGE_UNITS.get(lang or "en", AGE_UNITS["en"])
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return short.format(minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return medium.format(hours, minutes)
    days, hours = divmod(hours, 24)
    return long.format(days, hours)


def shelter_state(
    feature: Mapping,
    now: datetime,
    stale_hours: float | None = None,
    needs: Iterable[str] = NEEDS,
) -> ShelterState:
    """The state of one shelter (a feature as query.features gives it, or the overview's lean
    row: id, name, address, status, muni_code, lon, lat, attributes)."""
    attributes = feature.get("attributes") or {}
    if isinstance(attributes, str):
        attributes = orjson.loads(attributes)
    evacuees, capacity = _int(attributes.get("evacuees")), _int(attributes.get("capacity"))
    occupancy = free = None
    if capacity is not None and capacity > 0:
        occupancy = round(100 * (evacuees or 0) / capacity, 1)
    if capacity is not None:
        free = max(capacity - (evacuees or 0), 0)
    open_needs = {}
    for need in needs:
        urgency = attributes.get(NEED_PREFIX + need)
        if urgency in ("needed", "urgent"):
            open_needs[need] = urgency
    if other := str(attributes.get(NEED_OTHER) or "").strip():
        open_needs["other"] = other
    reported_at = attributes.get("reported_at") or None
    when = parse_time(reported_at, now.tzinfo) if reported_at else None
    age = round((now - when).total_seconds() / 3600, 2) if when else None
    status = feature.get("status") or "unknown"
    stale = (
        stale_hours is not None and status in IN_OPERATION and (age is None or age > stale_hours)
    )
    return ShelterState(
        id=feature["id"],
        name=feature.get("name") or "",
        address=feature.get("address") or "",
        status=status,
        muni_code=feature.get("muni_code"),
        municipality=name_of(feature.get("muni_code")),
        lon=feature.get("lon"),
        lat=feature.get("lat"),
        evacuees=evacuees,
        capacity=capacity,
        occupancy=occupancy,
        free=free,
        crowding=attributes.get("crowding") or None,
        needs=open_needs,
        urgent="urgent" in open_needs.values(),
        manager=attributes.get("manager") or None,
        contact=attributes.get("contact") or None,
        phone=str(attributes["phone"]) if attributes.get("phone") else None,
        reported_at=reported_at,
        age_hours=age,
        stale=stale,
    )


def totals(states: Iterable[ShelterState]) -> tuple[dict[str | None, Totals], Totals]:
    """Totals per municipality (by code) and for all `states`."""
    by_municipality: dict[str | None, Totals] = {}
    total = Totals()
    for state in states:
        by_municipality.setdefault(state.muni_code, Totals()).add(state)
        total.add(state)
    return by_municipality, total


_LEAN_SELECT = (
    "SELECT id, name, address, status, muni_code, lon, lat, attributes FROM features "
    f"WHERE kind = ? AND {LIVE_FEATURE}"
)


def overview(
    incident: Incident,
    *,
    stale_hours: float | None = None,
    now: datetime | None = None,
    kind: str = KIND,
    catalog: Mapping[str, LayerKind] | None = None,
    municipalities: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
) -> Overview:
    """Every shelter's state (in the store's order), with totals per municipality and for the
    incident. `now` defaults to the current time in the incident's time zone; `municipalities`
    (codes) and `statuses` keep only those shelters, and the totals are of what is kept."""
    now = now or datetime.now(incident.timezone)
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    needs = need_keys(catalog.get(kind))
    codes = set(municipalities) if municipalities else None
    wanted = set(statuses) if statuses else None
    cursor = incident.conn.execute(_LEAN_SELECT + " ORDER BY fid", (kind,))
    columns = [d[0] for d in cursor.description]
    states = []
    for row in cursor:
        feature = dict(zip(columns, row, strict=True))
        if codes is not None and feature["muni_code"] not in codes:
            continue
        if wanted is not None and (feature["status"] or "unknown") not in wanted:
            continue
        states.append(shelter_state(feature, now, stale_hours, needs))
    by_municipality, total = totals(states)
    names = {code: name_of(code) or "" for code in by_municipality}
    return Overview(states, by_municipality, total, now, stale_hours, names)


def refresh(
    incident: Incident,
    view: Overview,
    feature_ids: Iterable[str],
    *,
    kind: str = KIND,
    catalog: Mapping[str, LayerKind] | None = None,
    now: datetime | None = None,
) -> Overview:
    """`view` after the shelters `feature_ids` were written (an edit, an undo, a feed): only
    those are read again and the totals summed anew, so a window follows an edit among 10,000
    shelters in milliseconds. A shelter deleted since leaves the list; one that is new, or was
    left out by the first overview's filters, is not added (call overview() for that)."""
    now = now or datetime.now(incident.timezone)
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    needs = need_keys(catalog.get(kind))
    ids = list(dict.fromkeys(feature_ids))
    position = {state.id: n for n, state in enumerate(view.shelters)}
    states: list[ShelterState | None] = list(view.shelters)
    found: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = incident.conn.execute(
            f"{_LEAN_SELECT} AND id IN ({', '.join('?' * len(chunk))})", (kind, *chunk)
        )
        columns = [d[0] for d in cursor.description]
        found.update({row[0]: dict(zip(columns, row, strict=True)) for row in cursor})
    for feature_id in ids:
        if feature_id in position:
            feature = found.get(feature_id)
            states[position[feature_id]] = (
                shelter_state(feature, now, view.stale_hours, needs) if feature else None
            )
    kept = [s for s in states if s is not None]
    by_municipality, total = totals(kept)
    names = {code: view.names.get(code) or name_of(code) or "" for code in by_municipality}
    return Overview(kept, by_municipality, total, now, view.stale_hours, names)


# -- writing ---------------------------------------------------------------------------------
def _feature(incident: Incident, feature_id: str) -> dict:
    row = incident.conn.execute(
        f"SELECT kind, status, note, attributes FROM features WHERE id = ? AND {LIVE_FEATURE}",
        (feature_id,),
    ).fetchone()
    if row is None:
        raise GspaceError(f"no feature with id {feature_id}")
    return {
        "kind": row[0],
        "status": row[1],
        "note": row[2],
        "attributes": orjson.loads(row[3] or "{}"),
    }


NOTE_LIMIT = 10_000  # characters: a page of text; more is a paste gone wrong


def note_text(note: object) -> str:
    """A note as it is stored: text, line breaks as "\\n", no other control characters (they
    would break the exports' lines and cells), at most NOTE_LIMIT characters. Raises GspaceError
    with one line for anything else, before anything is written."""
    if not isinstance(note, str):
        raise GspaceError(f"a note is text, not {type(note).__name__}")
    text = note.replace("\r\n", "\n").replace("\r", "\n")
    bad = next((c for c in text if (ord(c) < 32 and c not in "\n\t") or ord(c) == 127), None)
    if bad is not None:
        raise GspaceError(f"the note holds a control character (U+{ord(bad):04X})")
    if len(text) > NOTE_LIMIT:
        raise GspaceError(f"the note is longer than {NOTE_LIMIT} characters ({len(text)})")
    return text


def set_situation(
    incident: Incident,
    feature_id: str,
    status: str | None = None,
    fields: Mapping[str, object] | None = None,
    note: str | None = None,
    *,
    stamp: str | None = None,
    catalog: Mapping[str, LayerKind] | None = None,
) -> dict:
    """Write a shelter's (or any feature's) situation through the change log, in one
    transaction, and return what it replaced as keyword arguments of this function:
    `set_situation(incident, feature_id, **undo)` puts the feature back as it was.

    `fields` are attribute keys -> values as a person typed them ("120", "urgent") or typed
    (120); each is stored as the kind's type says, and a value that does not fit raises
    GspaceError with one line before anything is written. An empty text or None removes the
    field. For a kind with a `reported_at` field (shelters, water points), a change sets it to
    now unless `fields` gives it: the time of the last report is the time of the last change.
    `status` must be one of the kind's statuses; `note` replaces the note ("" removes it; see
    note_text for what a note may hold).
    `stamp` (an HLC stamp) dates the write for sync (status feeds: the snapshot's own time)."""
    current = _feature(incident, feature_id)
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    kind = catalog.get(current["kind"])
    changes: dict = {}
    undo: dict = {}
    if status is not None and status != current["status"]:
        if kind and kind.statuses and not kind.status(status):
            allowed = ", ".join(s.id for s in kind.statuses)
            raise GspaceError(f"{status!r} is not a status of {current['kind']} (use {allowed})")
        changes["status"], undo["status"] = status, current["status"]
    note = None if note is None else note_text(note)
    if note is not None and (note or None) != current["note"]:
        changes["note"], undo["note"] = note or None, current["note"] or ""
    old = current["attributes"]
    texts = {k: "" if v is None else str(v) for k, v in (fields or {}).items()}
    attributes = set_fields(old, texts, kind)
    dated = kind is not None and "reported_at" in kind.fields and "reported_at" not in texts
    if dated and (changes or attributes != old):
        attributes["reported_at"] = incident.now()
    if attributes != old:
        changes["attributes"] = attributes
        undo["fields"] = {
            k: old.get(k) if old.get(k) is not None else ""
            for k in sorted(set(old) | set(attributes))
            if old.get(k) != attributes.get(k)
        }
    if not changes:
        return {}
    with incident.transaction():
        records.update_feature(incident, feature_id, stamp=stamp, **changes)
    return undo


def history(incident: Incident, feature_id: str, key: str = "evacuees") -> list[tuple[str, object]]:
    """The values an attribute of a feature had over time, oldest first, from the change log:
    (time, value) with the time of the report that gave the value (`reported_at`) where there
    is one, else the time of the change. For the detail panel's chart of evacuees."""
    points: list[tuple[str, object]] = []
    entries = incident.conn.execute(
        "SELECT hlc, data, prior FROM changes WHERE row_id = ? AND tbl = 'features' "
        "AND op = 'update' ORDER BY seq",
        (feature_id,),
    ).fetchall()
    first = True
    for hlc, data, prior in entries:
        after = _attributes_in(data)
        if after is None:
            continue
        before = _attributes_in(prior)
        if first and before is not None and key in before:
            points.append((_when(before, None, incident), before[key]))
        first = False
        if key in after and (not points or points[-1][1] != after[key]):
            points.append((_when(after, hlc, incident), after[key]))
    if not points:
        now = _feature(incident, feature_id)["attributes"]
        if key in now:
            points.append((_when(now, None, incident), now[key]))
    return points


def _attributes_in(entry: str | None) -> dict | None:
    if not entry:
        return None
    value = orjson.loads(entry).get("attributes")
    if isinstance(value, str):
        value = orjson.loads(value)
    return value if isinstance(value, dict) else None


def _when(attributes: dict, hlc: str | None, incident: Incident) -> str:
    if attributes.get("reported_at"):
        return str(attributes["reported_at"])
    if hlc:
        ms = int(hlc.split(".")[0])
        return datetime.fromtimestamp(ms / 1000, incident.timezone).isoformat(timespec="seconds")
    return ""
