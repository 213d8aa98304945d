"""A deterministic text of everything an incident syncs, to compare devices.

Two devices that hold the same entries must print the same text: every synced row (tombstones
included) with its fields and each field's effective clock, and every conflict record. What each
device derives for itself (integer row keys, municipality codes, a photo's local path and
thumbnail, the local order of the log) is left out.
"""

from __future__ import annotations

from gspace.store.incident import Incident
from gspace.sync.fields import DELETED, DERIVED, KEY, SETS, SYNC_TABLES, dumps, loads, row_fields


def canonical_dump(incident: Incident) -> str:
    conn = incident.conn
    clocks: dict[tuple[str, str], dict] = {}
    for tbl, row_id, f, hlc, origin in conn.execute(
        "SELECT tbl, row_id, field, hlc, origin FROM field_clocks"
    ):
        clocks.setdefault((tbl, row_id), {})[f] = [hlc, origin]
    lines = []
    for tbl in SYNC_TABLES:
        key = KEY[tbl]
        cursor = conn.execute(f"SELECT * FROM {tbl} ORDER BY {key}")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            fields = {f: v for f, v in row_fields(tbl, row).items() if f not in DERIVED}
            for s in SETS & fields.keys():
                fields[s] = sorted(fields[s] or [])
            fields[DELETED] = row.get("deleted", 0)
            insert = [row["hlc"], row["origin"]]
            explicit = {
                f: c
                for f, c in clocks.get((tbl, row[key]), {}).items()
                if f not in SETS and f not in DERIVED
            }
            lines.append(
                dumps(
                    {
                        "tbl": tbl,
                        "id": row[key],
                        "insert": insert,
                        "fields": fields,
                        "clocks": explicit,
                    }
                )
            )
    for row in conn.execute(
        "SELECT id, tbl, row_id, field, kind, choices, settled FROM conflicts ORDER BY id"
    ):
        cid, tbl, row_id, f, kind, choices, settled = row
        lines.append(
            dumps(
                {
                    "conflict": cid,
                    "tbl": tbl,
                    "row_id": row_id,
                    "field": f,
                    "kind": kind,
                    "values": loads(choices),
                    "settled": loads(settled),
                }
            )
        )
    return "\n".join(lines) + "\n"
