"""Reports of one post or photo that met with different ids.

Since sync, a post's or photo's report id is derived from the post or the photo (records.post_id,
photo_id), so two laptops that import it make one report. Reports imported before that have
random ids: when two of them meet (the same post's source, the same photo's SHA-256), every
device reaches the same result by itself: the larger id becomes a duplicate of the smaller
(status `duplicate`, `properties.duplicate_of`). These are machine writes (no base): the same
values written on every device, so never a conflict; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from gspace.sync.fields import loads


def _groups(conn, new_ids: set[str]) -> list[list[str]]:
    # the grouping is done by SQLite (index lookups): 100,000 received reports are one query,
    # not 200,000 rows walked in Python
    ids = orjson.dumps(sorted(new_ids)).decode()
    groups = [
        sorted(loads(members))
        for (members,) in conn.execute(
            "SELECT json_group_array(id) FROM reports WHERE kind = 'sns' AND source IN ("
            " SELECT source FROM reports WHERE id IN (SELECT value FROM json_each(?))"
            " AND kind = 'sns' AND source <> '') GROUP BY source HAVING count(*) > 1",
            (ids,),
        )
    ]
    photos = conn.execute(
        "SELECT 1 FROM reports WHERE id IN (SELECT value FROM json_each(?)) AND kind = 'photo'"
        " LIMIT 1",
        (ids,),
    ).fetchone()
    if photos:
        by_photo: dict[str, list[str]] = {}
        for rid, media in conn.execute("SELECT id, media FROM reports WHERE kind = 'photo'"):
            for sha in loads(media) or []:
                by_photo.setdefault(sha, []).append(rid)
        groups += [sorted(g) for g in by_photo.values() if len(g) > 1]
    return groups


def mark_duplicates(incident, new_ids: Iterable[str]) -> None:
    from gspace.sync.merge import machine_write

    conn = incident.conn
    for group in _groups(conn, set(new_ids)):
        first = group[0]
        for rid in group[1:]:
            status, properties = conn.execute(
                "SELECT status, properties FROM reports WHERE id = ?", (rid,)
            ).fetchone()
            if status == "duplicate" and (loads(properties) or {}).get("duplicate_of") == first:
                continue
            machine_write(
                incident,
                "reports",
                rid,
                {"status": "duplicate", "properties.duplicate_of": first},
            )
