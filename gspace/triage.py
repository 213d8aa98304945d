"""Triage: the edits an analyst makes to reports.

Every edit is a mapping {report id: {field: new value}} written in one transaction through
`records.update_report`, so each lands in the change log with who made it. Applying an edit
returns its inverse (the previous values of what really changed), which is how the window undoes
and redoes: an undo is one more edit, logged like any other, so nothing is ever rewritten.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from gspace.errors import GspaceError, language
from gspace.model import CATEGORIES, REPORT_STATUSES, SEVERITIES, categories_of
from gspace.store import query, records
from gspace.store.incident import Incident
from gspace.sync.clock import parse_stamp

Edit = dict[str, dict[str, Any]]  # report id -> {field: value}

EDITABLE = {"status", "category", "severity", "note", "lon", "lat", "location_source"}
EDITABLE |= {"accuracy_m", "media", "properties"}


def apply(incident: Incident, edit: Edit) -> Edit:
    """Write `edit` in one transaction; returns the edit that puts everything back."""
    unknown = {f for fields in edit.values() for f in fields} - EDITABLE
    if unknown:
        raise GspaceError(f"reports cannot be edited in: {', '.join(sorted(unknown))}")
    inverse: Edit = {}
    with incident.transaction():
        for report_id, fields in edit.items():
            previous = records.update_report(incident, report_id, **fields)
            if previous:
                inverse[report_id] = previous
    return inverse


# what a typed value may be, in both languages (the CLI speaks the locale's, errors.language)
_INVALID = {
    "status": (
        "unknown status {value!r}; use one of {allowed}",
        "状態 {value!r} はありません。次のいずれかを指定してください: {allowed}",
    ),
    "severity": (
        'unknown severity {value!r}; use one of {allowed} (or "" for none)',
        '重要度 {value!r} はありません。次のいずれかを指定してください: {allowed}(なしは "")',
    ),
    "category": (
        "unknown category {value!r}; use one or more of {allowed}, joined by commas "
        '(or "" for none)',
        "分類 {value!r} はありません。次から一つ以上をカンマ区切りで指定してください: {allowed}"
        '(なしは "")',
    ),
}


def invalid(field: str, value: Any, allowed: tuple[str, ...]) -> GspaceError:
    english, japanese = _INVALID[field]
    text = japanese if language() == "ja" else english
    return GspaceError(text.format(value=value, allowed=", ".join(allowed)))


def typed_fields(**fields: Any) -> dict[str, Any]:
    """Status, category, severity and note as a person types them (a command's options), checked
    and stored as the window stores them: categories known and without repeats (`rescue,fire`),
    and an empty category, severity or note meaning none. Raises GspaceError naming the field
    and what it accepts."""
    out: dict[str, Any] = {}
    for field, value in fields.items():
        if value is None:
            continue
        value = value.strip()
        if field == "status":
            if value not in REPORT_STATUSES:
                raise invalid("status", value, REPORT_STATUSES)
        elif field == "severity":
            if value and value not in SEVERITIES:
                raise invalid("severity", value, SEVERITIES)
        elif field == "category":
            names = [c.strip() for c in value.replace("、", ",").split(",") if c.strip()]
            unknown = [c for c in names if c not in CATEGORIES]
            if unknown:
                raise invalid("category", ",".join(unknown), CATEGORIES)
            value = ",".join(dict.fromkeys(names))
        elif field != "note":
            raise GspaceError(f"reports cannot be set in: {field}")
        out[field] = value or None
    return out


def set_fields(incident: Incident, ids: list[str], **fields: Any) -> Edit:
    """The same status, category, severity or note for every report in `ids` (a bulk action is
    one edit, undone at once)."""
    if "status" in fields and fields["status"] not in REPORT_STATUSES:
        raise invalid("status", fields["status"], REPORT_STATUSES)
    if fields.get("severity") not in (None, *SEVERITIES):
        raise invalid("severity", fields["severity"], SEVERITIES)
    return apply(incident, {report_id: dict(fields) for report_id in ids})


def move(incident: Incident, report_id: str, lat: float, lon: float) -> Edit:
    """A location set by hand (dragged on the map, or placed)."""
    fields = {
        "lat": round(lat, 7),
        "lon": round(lon, 7),
        "location_source": "manual",
        "accuracy_m": None,
    }
    return apply(incident, {report_id: fields})


def merge(incident: Incident, keeper_id: str, other_ids: list[str]) -> Edit:
    """Fold duplicates into one report: the keeper gains their media, categories and links
    (post addresses, sources); each other report becomes a `duplicate` pointing at the keeper.
    Nothing is deleted, so the merge can be undone."""
    others = [i for i in dict.fromkeys(other_ids) if i != keeper_id]
    if not others:
        raise GspaceError("merging needs at least two different reports")
    keeper = _report(incident, keeper_id)
    media, categories = list(keeper["media"]), categories_of(keeper["category"])
    properties = dict(keeper["properties"])
    merged, links = list(properties.get("merged", [])), list(properties.get("links", []))
    edit: Edit = {}
    for other_id in others:
        other = _report(incident, other_id)
        media += [m for m in other["media"] if m not in media]
        if other["category"]:
            categories += [c for c in categories_of(other["category"]) if c not in categories]
        merged.append(other_id)
        for link in (other["properties"].get("url"), other["source"]):
            if link and link not in links:
                links.append(link)
        edit[other_id] = {
            "status": "duplicate",
            "properties": {**other["properties"], "duplicate_of": keeper_id},
        }
    if keeper["category"] is None and categories == ["other"]:
        category = None
    else:
        category = ",".join(categories)
    edit[keeper_id] = {
        "media": media,
        "category": category,
        "properties": {**properties, "merged": merged, "links": links},
    }
    return apply(incident, edit)


def _report(incident: Incident, report_id: str) -> dict:
    found = query.report(incident, report_id)
    if found is None:
        raise GspaceError(f"no report with id {report_id}")
    return found


def history(incident: Incident, report_id: str, zone: tzinfo) -> list[dict]:
    """Who changed what and when, oldest first: {at (local time), actor, op, fields, prior
    (the values the fields had before)}."""
    rows = incident.conn.execute(
        "SELECT hlc, actor, op, data, prior FROM changes WHERE tbl = 'reports' AND row_id = ? "
        "ORDER BY seq",
        (report_id,),
    )
    entries = []
    for hlc, actor, op, data, prior in rows:
        wall_ms = parse_stamp(hlc)[0]
        fields, prior = json.loads(data or "{}"), json.loads(prior or "{}")
        for derived in (fields, prior):
            derived.pop("observed_ts", None)  # derived from observed_at
        entries.append(
            {
                "at": datetime.fromtimestamp(wall_ms / 1000, zone),
                "actor": actor or "",
                "op": op,
                "fields": fields,
                "prior": prior,
            }
        )
    return entries
