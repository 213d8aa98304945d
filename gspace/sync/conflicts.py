"""The conflicts an analyst settles: listing them and settling one.

A conflict record (history.py) holds every competing value of one field, or, for a tombstone,
the delete and the edits made without seeing it. Values are numbered from 1 in (stamp, device)
order, the order `settle --take N` counts in. Settling writes the chosen value as a new change
of the field, based on its current clock and covering every listed value, so that it syncs and
every device ends with the same list; a record that gets a new value afterwards is open again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gspace.errors import GspaceError
from gspace.store.incident import Incident
from gspace.sync.fields import DELETED, loads


@dataclass
class Conflict:
    id: str
    tbl: str
    row_id: str
    field: str
    kind: str  # "edit", or "delete": edits made without seeing the row's tombstone
    values: list[dict]  # {value, hlc, origin, actor}, sorted by (hlc, origin); 1-based for take
    settled: dict | None  # {hlc, origin, actor, covers} of the settlement, if any

    @property
    def open(self) -> bool:
        """Not settled, or given a value since it was settled."""
        if self.settled is None:
            return True
        covered = {tuple(c) for c in self.settled["covers"]}
        return any((v["hlc"], v["origin"]) not in covered for v in self.values)


def _conflict(row: tuple) -> Conflict:
    cid, tbl, row_id, field_name, kind, choices, settled = row
    return Conflict(cid, tbl, row_id, field_name, kind, loads(choices), loads(settled))


def list_conflicts(incident: Incident, include_settled: bool = False) -> list[Conflict]:
    """The conflicts of the incident, open ones only unless `include_settled`; by table, row,
    field and id."""
    found = [
        _conflict(r)
        for r in incident.conn.execute(
            "SELECT id, tbl, row_id, field, kind, choices, settled FROM conflicts "
            "ORDER BY tbl, row_id, field, id"
        )
    ]
    return [c for c in found if include_settled or c.open]


def get_conflict(incident: Incident, conflict_id: str) -> Conflict:
    row = incident.conn.execute(
        "SELECT id, tbl, row_id, field, kind, choices, settled FROM conflicts WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None:
        raise GspaceError(f"no conflict with id {conflict_id}")
    return _conflict(row)


_NOTHING = object()


def settle(
    incident: Incident, conflict_id: str, *, take: int | None = None, value: Any = _NOTHING
) -> None:
    """Settle a conflict with its value number `take` (1-based) or with a `value` of your own
    (call in a transaction). For a "delete" record, taking the delete keeps the row deleted;
    taking an edit restores the row with that edit."""
    from gspace.sync.merge import local_write

    conflict = get_conflict(incident, conflict_id)
    if (take is None) == (value is _NOTHING):
        raise GspaceError("settle a conflict with either a value number or a value")
    if take is not None:
        if not 1 <= take <= len(conflict.values):
            raise GspaceError(
                f"conflict {conflict_id} has values 1 to {len(conflict.values)}, not {take}"
            )
        chosen = conflict.values[take - 1]["value"]
    else:
        chosen = value
    marker = {
        "conflict": conflict.id,
        "covers": sorted([v["hlc"], v["origin"]] for v in conflict.values),
    }
    if conflict.kind == "delete":
        if take is None:
            raise GspaceError("a delete conflict is settled by taking one of its values")
        data = {} if chosen is None else {DELETED: 0, **chosen}
    else:
        data = {conflict.field: chosen}
    local_write(incident, conflict.tbl, conflict.row_id, "settle", {**data, "_settle": marker})
