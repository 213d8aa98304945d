"""The changes of one report, feature or layer as a person reads them, and putting earlier
values back.

Every change of a row is in the change log (made here, or received from another laptop, which
keeps what it replaced in `prior`: sync/merge.py). `row_changes` lists them newest first with
the local sequence number that `revert` takes, when (in the incident's time zone), who (the
name and the device) and, per field, the old and the new value. `revert` puts back what one
change replaced as a *new* change (sync/merge.revert), so the restore syncs like any edit and
nothing is rewritten: reverting a delete restores the row, reverting an update writes the old
values again. The command line (`gspace history`) and the window's history dialog both use
these functions, so a number means the same in both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from gspace.conflict_list import value_text
from gspace.errors import GspaceError, language
from gspace.refs import MalformedRef, describe, find, parse_prefix, ref
from gspace.store.incident import Incident
from gspace.sync.clock import parse_stamp
from gspace.sync.fields import DELETED, DERIVED, loads, row_fields, split_update

TABLES = ("reports", "features", "layers")
WHAT = {"reports": "report", "features": "feature", "layers": "layer"}
SHORT = 8  # characters of a device id shown


@dataclass
class FieldChange:
    name: str
    old: Any
    new: Any
    old_known: bool = True  # False: a received write that did not replace a value here


@dataclass
class Change:
    seq: int
    tbl: str
    row_id: str
    op: str  # insert, update, delete, restore, settle
    at: datetime
    actor: str
    origin: str
    fields: list[FieldChange] = field(default_factory=list)

    def who(self) -> str:
        device = self.origin[:SHORT]
        return f"{self.actor} ({device})" if self.actor else device

    @property
    def revertible(self) -> bool:
        """Whether reverting it would put something back (an update that replaced nothing
        here, such as a received write that lost to a later one, has nothing to put back)."""
        if self.op in ("insert", "delete", "restore"):
            return True
        return any(f.old_known for f in self.fields)


@dataclass
class Row:
    tbl: str
    id: str
    shown: str  # `REF (name)` of a report or feature, `id-start (name)` of a layer
    deleted: bool


def say(english: str, japanese: str, **values: Any) -> str:
    """One line in the user's language (the locale's, errors.language), `values` filled in."""
    return (japanese if language() == "ja" else english).format(**values)


def _when(hlc: str, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(parse_stamp(hlc)[0] / 1000, zone)


def _fields(tbl: str, op: str, data: str | None, prior: str | None) -> list[FieldChange]:
    if op in ("delete", "restore"):
        return [FieldChange(DELETED, int(op == "restore"), int(op == "delete"))]
    if op == "insert":
        written = loads(data) if data else None
        if not isinstance(written, dict):
            return []  # reports and features keep no copy of their first row (records.py)
        return [
            FieldChange(k, None, v, False)
            for k, v in row_fields(tbl, written).items()
            if k not in DERIVED
        ]
    new, old = split_update(tbl, loads(data) or {}, loads(prior) or {})
    return [
        FieldChange(k, old.get(k), v, k in old)
        for k, v in new.items()
        if k not in DERIVED and not (k in old and old[k] == v)
    ]


def row_changes(incident: Incident, tbl: str, row_id: str) -> list[Change]:
    """Every change of one row, newest first."""
    rows = incident.conn.execute(
        "SELECT seq, hlc, origin, op, data, prior, actor FROM changes "
        "WHERE row_id = ? AND tbl = ? ORDER BY seq DESC",
        (row_id, tbl),
    )
    zone = incident.timezone
    return [
        Change(
            seq,
            tbl,
            row_id,
            op,
            _when(hlc, zone),
            actor or "",
            origin or "",
            _fields(tbl, op, data, prior),
        )
        for seq, hlc, origin, op, data, prior, actor in rows
    ]


def _layer_row(incident: Incident, layer_id: str) -> Row:
    """A layer shown as a report or feature is: `REF (name)`. Layer ids are time-ordered, so
    layers imported on one day share their first characters; the reference (refs.ref, from
    the id's random end) tells them apart."""
    name, deleted = incident.conn.execute(
        "SELECT name, deleted FROM layers WHERE id = ?", (layer_id,)
    ).fetchone()
    clean = " ".join("".join(c if c.isprintable() else " " for c in name or "").split())
    return Row("layers", layer_id, f"{ref(layer_id)} ({clean[:30]})", bool(deleted))


def row(incident: Incident, tbl: str, row_id: str) -> Row:
    if tbl == "layers":
        return _layer_row(incident, row_id)
    [shown] = describe(incident.conn, tbl, [row_id])
    [deleted] = incident.conn.execute(f"SELECT deleted FROM {tbl} WHERE id = ?", (row_id,))
    return Row(tbl, row_id, shown, bool(deleted[0]))


def layers_named(incident: Incident, text: str, deleted: bool = False) -> list[str]:
    """Ids of the layers that `text` names: the id, the reference (or its start, 4 characters
    or more, as `gspace layer list` shows it), or the name (case and surrounding spaces do not
    matter); deleted ones only with `deleted`."""
    wanted = text.strip()
    if not wanted:
        return []
    live = "" if deleted else " WHERE deleted = 0"
    layers = incident.conn.execute(f"SELECT id, name FROM layers{live} ORDER BY rowid").fetchall()
    by_id = [i for i, _ in layers if i == wanted.lower()]
    prefix = parse_prefix(wanted)
    if not by_id and prefix and len(prefix) >= 4:
        by_id = [i for i, _ in layers if ref(i).replace("-", "").startswith(prefix)]
    return by_id or [i for i, n in layers if (n or "").strip().lower() == wanted.lower()]


def find_layer(incident: Incident, text: str, deleted: bool = False) -> str:
    """The one layer `text` names (layers_named); one clear line when none or several do."""
    ids = layers_named(incident, text, deleted)
    if not ids:
        raise GspaceError(
            say(
                "no layer with id or name {text!r} (gspace layer list INCIDENT lists them)",
                "id または名前が {text!r} のレイヤーはありません"
                "(gspace layer list 事案フォルダー で一覧できます)",
                text=text.strip(),
            )
        )
    if len(ids) > 1:
        shown = ", ".join(_layer_row(incident, i).shown for i in ids[:8])
        raise GspaceError(
            say(
                "{n} layers are called {text!r}: {shown}; give the id",
                "{text!r} という名前のレイヤーが {n} 個あります: {shown}。id を指定してください",
                n=len(ids),
                text=text.strip(),
                shown=shown,
            )
        )
    return ids[0]


def find_row(incident: Incident, text: str) -> Row:
    """The report, feature or layer `text` names, deleted or not: a report's or feature's
    reference (or its unique start) or id, a layer's id or name."""
    found: list[tuple[str, str]] = []
    for tbl in ("reports", "features"):
        try:
            found += [(tbl, i) for i in find(incident.conn, tbl, text, deleted=True)]
        except MalformedRef:
            pass
    found += [("layers", i) for i in layers_named(incident, text, deleted=True)]
    if not found:
        raise GspaceError(
            say(
                "no report, feature or layer with reference, id or name {text!r}",
                "参照番号・id・名前が {text!r} の報告・地物・レイヤーはありません",
                text=text.strip(),
            )
        )
    if len(found) > 1:
        shown = ", ".join(f"{WHAT[t]} {row(incident, t, i).shown}" for t, i in found[:8])
        raise GspaceError(
            say(
                "{text!r} names {n} rows: {shown}; give more characters",
                "{text!r} に当てはまるものが {n} 件あります: {shown}。もっと長く指定してください",
                text=text.strip(),
                n=len(found),
                shown=shown,
            )
        )
    return row(incident, *found[0])


def deleted_layers(incident: Incident, kind: str | None = None) -> list[dict]:
    """Deleted layers (of `kind`), the latest deleted first, with their features' count:
    what can be brought back."""
    where, params = ("AND l.kind = ?", [kind]) if kind else ("", [])
    cursor = incident.conn.execute(
        "SELECT l.id, l.kind, l.name, "
        "(SELECT count(*) FROM features f WHERE f.layer_id = l.id AND f.deleted = 0) "
        f"FROM layers l WHERE l.deleted = 1 {where} "
        "ORDER BY (SELECT max(seq) FROM changes c WHERE c.row_id = l.id) DESC",
        params,
    )
    return [dict(zip(("id", "kind", "name", "features"), r, strict=True)) for r in cursor]


def deleted_features(incident: Incident, kind: str, limit: int = 20) -> list[dict]:
    """The `limit` features of `kind` deleted last (in live layers), latest first."""
    cursor = incident.conn.execute(
        "SELECT f.id, f.name FROM features f WHERE f.kind = ? AND f.deleted = 1 AND f.layer_id "
        "NOT IN (SELECT id FROM layers WHERE deleted = 1) "
        "ORDER BY (SELECT max(seq) FROM changes c WHERE c.row_id = f.id) DESC LIMIT ?",
        (kind, limit),
    )
    return [{"id": i, "name": n or ""} for i, n in cursor]


def change(incident: Incident, seq: int) -> Change:
    found = incident.conn.execute(
        "SELECT seq, hlc, origin, tbl, row_id, op, data, prior, actor FROM changes WHERE seq = ?",
        (seq,),
    ).fetchone()
    if found is None:
        raise GspaceError(
            say(
                "no change {seq} (gspace history INCIDENT REF lists a row's changes)",
                "変更 {seq} はありません"
                "(gspace history 事案フォルダー 参照番号 で変更を一覧できます)",
                seq=seq,
            )
        )
    seq, hlc, origin, tbl, row_id, op, data, prior, actor = found
    if tbl not in TABLES:
        raise GspaceError(
            say(
                "change {seq} is of the {tbl} table; only changes of reports, features and "
                "layers can be reverted",
                "変更 {seq} は {tbl} 表の変更です。"
                "元に戻せるのは報告・地物・レイヤーの変更だけです",
                seq=seq,
                tbl=tbl,
            )
        )
    return Change(
        seq,
        tbl,
        row_id,
        op,
        _when(hlc, incident.timezone),
        actor or "",
        origin or "",
        _fields(tbl, op, data, prior),
    )


def _current(incident: Incident, tbl: str, row_id: str) -> tuple[dict, bool]:
    from gspace.sync import rows

    current = rows.fetch(incident.conn, tbl, row_id)
    return row_fields(tbl, current), bool(current["deleted"])


def revert(incident: Incident, seq: int) -> tuple[Change, list[FieldChange]]:
    """Put back what change `seq` replaced, as a new change that syncs (in one transaction).
    Returns the change and what was put back (field, value before the revert, value put
    back); an empty list when everything already has the values the change replaced. A
    one-line GspaceError for an unknown number, another table's change, or a change that
    replaced nothing here."""
    from gspace.sync.merge import revert as merge_revert

    reverted = change(incident, seq)
    if not reverted.revertible:
        raise GspaceError(
            say(
                "change {seq} replaced no value here (another laptop's write that a later one "
                "had already overwritten): nothing to put back",
                "変更 {seq} はこのパソコンの値を置き換えていません(より新しい変更に上書き済みの"
                "他のパソコンの変更です)。戻す値はありません",
                seq=seq,
            )
        )
    values, deleted = _current(incident, reverted.tbl, reverted.row_id)
    wanted: dict[str, Any] = {}
    if reverted.op in ("insert", "restore"):
        wanted[DELETED] = 1
    elif reverted.op == "delete":
        wanted[DELETED] = 0
    else:
        wanted = {f.name: f.old for f in reverted.fields if f.old_known}
    now = {**values, DELETED: int(deleted)}
    back = [FieldChange(k, now.get(k), v) for k, v in wanted.items() if now.get(k) != v]
    if back:
        with incident.transaction():
            merge_revert(incident, seq)
    return reverted, back


# -- shown --------------------------------------------------------------------------------
_OPS = {"insert": "追加", "update": "変更", "delete": "削除", "restore": "復元", "settle": "解決"}


def op_text(op: str) -> str:
    """What a change did, in the user's language (the codes in English)."""
    return say(op, _OPS.get(op, op))


def field_text(f: FieldChange) -> str:
    """`name old -> new` on one line (untrusted text made one line, conflict_list.value_text);
    a delete or restore as `deleted`/`restored`."""
    if f.name == DELETED:
        return say("deleted", "削除") if f.new else say("restored", "復元")
    if not f.old_known:
        return f"{f.name} = {value_text(f.new)}"
    return f"{f.name} {value_text(f.old)} -> {value_text(f.new)}"


def _at(c: Change) -> str:
    return c.at.strftime("%Y-%m-%d %H:%M:%S %Z")


def table(changes: list[Change]) -> str:
    """The command line's listing: one line per change, then one indented line per field."""
    lines = []
    for c in changes:
        lines.append(f"{c.seq:>6}  {_at(c)}  {c.who()}  {op_text(c.op)}")
        if c.op in ("delete", "restore"):
            continue
        lines += [f"        {field_text(f)}" for f in c.fields]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def as_json(target: Row, changes: list[Change]) -> dict:
    return {
        "table": target.tbl,
        "id": target.id,
        "row": target.shown,
        "deleted": target.deleted,
        "changes": [
            {
                "seq": c.seq,
                "at": c.at.isoformat(),
                "actor": c.actor,
                "origin": c.origin,
                "op": c.op,
                "revertible": c.revertible,
                "fields": [
                    {
                        "name": f.name,
                        "old": _plain(f.old),
                        "new": _plain(f.new),
                        "old_known": f.old_known,
                    }
                    for f in c.fields
                ],
            }
            for c in changes
        ],
    }
