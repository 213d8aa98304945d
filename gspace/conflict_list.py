"""Conflicts as a person reads them: which report or feature, which field, and each competing
value numbered with who wrote it and when (in the incident's time zone). The command line's
table and JSON and the window's conflicts panel are both made from `shown_conflicts`, and both
settle through `settle_text`, so a number or a typed value means the same everywhere.

The conflicts themselves (what is concurrent, the record's id, settling as a synced change)
are the sync engine's: gspace.sync.conflicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from gspace.errors import GspaceError
from gspace.refs import describe
from gspace.store.incident import Incident
from gspace.sync import conflicts as engine
from gspace.sync.clock import parse_stamp

SHORT = 8  # characters of a conflict's id shown (any unique start of it is accepted)


@dataclass
class Choice:
    """One competing value; `number` is what `settle --take N` takes."""

    number: int
    value: Any
    actor: str
    origin: str
    at: datetime
    deleted: bool = False  # the tombstone of a "delete" conflict, not a value of the field

    def who(self) -> str:
        device = self.origin[:SHORT]
        return f"{self.actor} ({device})" if self.actor else device


@dataclass
class ShownConflict:
    id: str
    tbl: str
    row_id: str
    field: str
    kind: str  # "edit", or "delete": an edit made while the row was deleted elsewhere
    row: str  # `REF (start of the text or name)`
    choices: list[Choice] = field(default_factory=list)
    settled: Any = None

    @property
    def short(self) -> str:
        return self.id[:SHORT]


def _when(hlc: str, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(parse_stamp(hlc)[0] / 1000, zone)


def _row_names(incident: Incident, tbl: str, ids: list[str]) -> dict[str, str]:
    if tbl in ("reports", "features"):
        return dict(zip(ids, describe(incident.conn, tbl, ids), strict=True))
    if tbl == "layers":
        marks = ", ".join("?" * len(ids))
        rows = incident.conn.execute(f"SELECT id, name FROM layers WHERE id IN ({marks})", ids)
        return {i: f"{i[:SHORT]} ({' '.join(str(n or '').split())[:30]})" for i, n in rows}
    return {i: i for i in ids}


def shown_conflicts(incident: Incident, include_settled: bool = False) -> list[ShownConflict]:
    """Every conflict the engine lists, oldest first as it lists them, ready to show."""
    found = engine.list_conflicts(incident, include_settled=include_settled)
    names: dict[tuple[str, str], str] = {}
    for tbl in {c.tbl for c in found}:
        ids = sorted({c.row_id for c in found if c.tbl == tbl})
        names |= {(tbl, i): n for i, n in _row_names(incident, tbl, ids).items()}
    shown = []
    for c in found:
        choices = [
            Choice(
                n,
                v.get("value"),
                v.get("actor") or "",
                v.get("origin") or "",
                _when(v["hlc"], incident.timezone),
                # a "delete" record: the tombstone's value is None, each edit's its fields
                deleted=c.kind == "delete" and v.get("value") is None,
            )
            for n, v in enumerate(c.values, 1)
        ]
        row = names.get((c.tbl, c.row_id), c.row_id)
        shown.append(ShownConflict(c.id, c.tbl, c.row_id, c.field, c.kind, row, choices, c.settled))
    return shown


def find(incident: Incident, text: str, include_settled: bool = True) -> ShownConflict:
    """The conflict whose id starts with `text` (case and spaces do not matter); one clear
    line when none or several do."""
    wanted = "".join(text.split()).lower()
    if not wanted:
        raise GspaceError("give a conflict's id (gspace conflicts INCIDENT lists them)")
    every = shown_conflicts(incident, include_settled=include_settled)
    matches = [c for c in every if c.id.lower().startswith(wanted)]
    if not matches:
        raise GspaceError(
            f"no conflict with id {text.strip()!r}; gspace conflicts INCIDENT lists them"
        )
    if len(matches) > 1:
        ids = ", ".join(c.id[: max(SHORT, len(wanted) + 2)] for c in matches[:8])
        raise GspaceError(
            f"{text.strip()!r} is the start of {len(matches)} conflicts' ids: {ids}; "
            "give more characters"
        )
    return matches[0]


def typed_value(conflict: ShownConflict, text: str) -> Any:
    """A value typed for a field, as the field holds its values: text for a text field, a
    number or true/false where the competing values are numbers or booleans (JSON), and an
    empty text as none."""
    if text == "":
        return None
    kinds = {type(c.value) for c in conflict.choices if not c.deleted and c.value is not None}
    if kinds and not kinds <= {str}:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def settle_text(
    incident: Incident, conflict: ShownConflict, take: int | None = None, value: str | None = None
) -> None:
    """Settle with value number `take` (1-based, as listed) or with `value` as typed; exactly
    one of the two. Raises GspaceError with one line (the number out of range, both given)."""
    if (take is None) == (value is None):
        raise GspaceError("give either a value's number to take or a new value, not both")
    if value is not None and conflict.kind == "delete":
        raise GspaceError(
            f"conflict {conflict.short} is a row deleted on one laptop and edited on another: "
            "take the delete or one of the edits (--take N: an edit restores the row)"
        )
    if take is not None:
        if not 1 <= take <= len(conflict.choices):
            raise GspaceError(
                f"conflict {conflict.short} has {len(conflict.choices)} values: take 1 to "
                f"{len(conflict.choices)}, not {take}"
            )
        engine.settle(incident, conflict.id, take=take)
    elif conflict.tbl == "reports" and conflict.field in ("status", "category", "severity"):
        from gspace.triage import typed_fields  # checked and stored as `report set` does

        engine.settle(
            incident, conflict.id, value=typed_fields(**{conflict.field: value}).get(conflict.field)
        )
    elif conflict.tbl == "features" and conflict.field == "status":
        engine.settle(incident, conflict.id, value=_feature_status(incident, conflict, value))
    else:
        engine.settle(incident, conflict.id, value=typed_value(conflict, value))


def _feature_status(incident: Incident, conflict: ShownConflict, value: str) -> str | None:
    """A feature's status must be one of its kind's (as `feature set --status` checks)."""
    from gspace.catalog import incident_catalog

    row = incident.conn.execute(
        "SELECT kind FROM features WHERE id = ?", (conflict.row_id,)
    ).fetchone()
    kind = incident_catalog(incident.path).get(row[0]) if row else None
    value = value.strip()
    if value and kind and kind.statuses and not kind.status(value):
        allowed = ", ".join(s.id for s in kind.statuses)
        raise GspaceError(f"{value!r} is not a status of {kind.kind} (use {allowed})")
    return value or None


def value_text(value: Any) -> str:
    """A value on one line (untrusted text: no line breaks or control characters); the edit
    of a "delete" record (its fields) as `status=verified, note=...`."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={value_text(v)}" for k, v in value.items())
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _at(choice: Choice) -> str:
    return choice.at.strftime("%Y-%m-%d %H:%M %Z")


def table(conflicts: list[ShownConflict]) -> str:
    """The command line's listing: a heading line per conflict, then its numbered values."""
    lines = []
    for c in conflicts:
        what = {"reports": "report", "features": "feature", "layers": "layer"}.get(c.tbl, c.tbl)
        state = "  (settled)" if c.settled else ""
        lines.append(f"{c.short}  {what} {c.row}  {c.field}{state}")
        for choice in c.choices:
            shown = "deleted" if choice.deleted else value_text(choice.value)
            lines.append(f"  {choice.number}  {shown}  by {choice.who()}, {_at(choice)}")
    return "\n".join(lines)


def as_json(conflicts: list[ShownConflict]) -> list[dict]:
    return [
        {
            "id": c.id,
            "table": c.tbl,
            "row_id": c.row_id,
            "row": c.row,
            "field": c.field,
            "kind": c.kind,
            "settled": c.settled,
            "values": [
                {
                    "number": ch.number,
                    "value": ch.value,
                    "deleted": ch.deleted,
                    "actor": ch.actor,
                    "origin": ch.origin,
                    "at": ch.at.isoformat(),
                }
                for ch in c.choices
            ],
        }
        for c in conflicts
    ]
