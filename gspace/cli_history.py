"""Deleting reports, features and layers, and a row's history with reverting one change:
`report delete`, `feature delete`, `layer list`, `layer delete`, `history` and `history
revert`. Each is a few lines over the core (gspace.store.records for the tombstones,
gspace.change_history for the history); registered by cli.py. A delete is a tombstone that
syncs, undone by reverting it."""

from __future__ import annotations

from pathlib import Path

import click

from gspace.change_history import WHAT, say
from gspace.cli_options import resolve_ref
from gspace.cli_sync import _ListByDefault
from gspace.refs import describe
from gspace.store.incident import Incident

_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def _restore_hint(seq: int) -> str:
    return say(
        "(gspace history revert INCIDENT {seq} brings it back)",
        "(gspace history revert 事案フォルダー {seq} で元に戻せます)",
        seq=seq,
    )


def _delete_row(incident: Path, table: str, given: str, delete) -> None:
    """Tombstone one report or feature (`delete`: records.delete_report / delete_feature)
    and say how to bring it back."""
    from gspace.sync.changes import last_seq

    with Incident.open(incident) as inc:
        row_id = resolve_ref(inc, table, given)
        [shown] = describe(inc.conn, table, [row_id])
        with inc.transaction():
            delete(inc, row_id)
        seq = last_seq(inc)
    click.echo(
        say("{shown}: deleted ", "{shown}: 削除しました ", shown=shown) + _restore_hint(seq),
        err=True,
    )


@click.command("delete")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("feature_ref", metavar="REF")
def feature_delete(incident: Path, feature_ref: str) -> None:
    """Delete a reference-layer feature: it leaves lists, maps and exports on every laptop it
    syncs to. The row stays in the store as a tombstone; reverting the delete (gspace history)
    restores it with its attributes.

    Example: gspace feature delete ~/incidents/kumamoto K7M4-QX2P
    """
    from gspace.store import records

    _delete_row(incident, "features", feature_ref, records.delete_feature)


@click.command("delete")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("report_ref", metavar="REF")
def report_delete(incident: Path, report_ref: str) -> None:
    """Delete a report (a post posted twice, a test photo): it leaves lists, maps and exports
    on every laptop it syncs to. The row stays in the store as a tombstone; reverting the
    delete (gspace history) restores it. A duplicate of another report is better marked
    `--status duplicate` (gspace report set), which keeps it findable.

    Example: gspace report delete ~/incidents/kumamoto K7M4-QX2P
    """
    from gspace.store import records

    _delete_row(incident, "reports", report_ref, records.delete_report)


@click.group()
def layer() -> None:
    """List and delete reference layers (the datasets imported with gspace import layer)."""


@layer.command("list")
@click.argument("incident", type=click.Path(path_type=Path))
@_FORMAT
@click.option("--all", "everything", is_flag=True, help="deleted layers too")
def layer_list(incident: Path, fmt: str, everything: bool) -> None:
    """List the incident's layers: reference, kind, name, number of features, whether deleted,
    and id.

    Example: gspace layer list ~/incidents/kumamoto
    """
    import json

    from gspace.refs import ref

    with Incident.open(incident, write=False) as inc:
        where = "" if everything else "WHERE l.deleted = 0"
        rows = inc.conn.execute(
            "SELECT l.id, l.kind, l.name, l.source, l.imported_at, l.deleted, "
            "(SELECT count(*) FROM features f WHERE f.layer_id = l.id AND f.deleted = 0) "
            f"FROM layers l {where} ORDER BY l.kind, l.imported_at, l.rowid"
        ).fetchall()
    keys = ("id", "kind", "name", "source", "imported_at", "deleted", "features")
    found = [dict(zip(keys, row, strict=True)) for row in rows]
    out = click.get_text_stream("stdout", encoding="utf-8")
    if fmt == "json":
        for f in found:
            f["deleted"], f["ref"] = bool(f["deleted"]), ref(f["id"])
        out.write(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    else:
        for f in found:
            name = " ".join("".join(c if c.isprintable() else " " for c in f["name"] or "").split())
            state = say("  (deleted)", "  (削除済み)") if f["deleted"] else ""
            out.write(f"{ref(f['id'])}  {f['kind']}  {name}  {f['features']}{state}  {f['id']}\n")
    click.echo(say("{n} layers", "レイヤー {n} 個", n=len(found)), err=True)


@layer.command("delete")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("layer_ref", metavar="LAYER")
def layer_delete(incident: Path, layer_ref: str) -> None:
    """Delete a reference layer: it and its features leave lists, maps and exports on every
    laptop it syncs to; reverting the delete (gspace history) brings both back. LAYER is the
    layer's reference (or its start), its id or its name, as gspace layer list shows them.

    Example: gspace layer delete ~/incidents/kumamoto 避難所一覧.csv
    """
    from gspace.change_history import find_layer, row
    from gspace.store import records
    from gspace.sync.changes import last_seq

    with Incident.open(incident) as inc:
        layer_id = find_layer(inc, layer_ref)
        [features] = inc.conn.execute(
            "SELECT count(*) FROM features WHERE layer_id = ? AND deleted = 0", (layer_id,)
        ).fetchone()
        shown = row(inc, "layers", layer_id).shown
        with inc.transaction():
            records.delete_layer(inc, layer_id)
        seq = last_seq(inc)
    click.echo(
        say(
            "layer {shown}: deleted with its {n} features ",
            "レイヤー {shown}: 地物 {n} 件とともに削除しました ",
            shown=shown,
            n=features,
        )
        + _restore_hint(seq),
        err=True,
    )


@click.group(cls=_ListByDefault)
def history() -> None:
    """The changes of a report, feature or layer, and putting earlier values back.
    `gspace history INCIDENT REF` lists them; `gspace history revert INCIDENT SEQ` reverts one."""


@history.command("list")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("ref", metavar="REF")
@_FORMAT
def history_list(incident: Path, ref: str, fmt: str) -> None:
    """List the changes of one report, feature or layer, newest first (the word `list` may be
    left out): the change's number here (what `history revert` takes), when (in the incident's
    time zone), who (name and device), what (insert, update, delete, restore, settle) and each
    field's old -> new value. Deleted rows are found too, so their delete can be reverted.

    REF is a report's or feature's reference (K7M4-QX2P-ZA9B, or its unique start) or id, or a
    layer's id or name.

    Example: gspace history ~/incidents/kumamoto K7M4-QX2P
    """
    import json

    from gspace.change_history import as_json, find_row, row_changes, table

    with Incident.open(incident, write=False) as inc:
        target = find_row(inc, ref)
        changes = row_changes(inc, target.tbl, target.id)
    out = click.get_text_stream("stdout", encoding="utf-8")
    if fmt == "json":
        out.write(json.dumps(as_json(target, changes), ensure_ascii=False, indent=1) + "\n")
    else:
        state = say(" (deleted)", "(削除済み)") if target.deleted else ""
        out.write(f"{WHAT[target.tbl]} {target.shown}{state}\n")
        if changes:
            out.write(table(changes) + "\n")
    click.echo(say("{n} changes", "変更 {n} 件", n=len(changes)), err=True)


@history.command("revert")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("seq", type=int, metavar="SEQ")
def history_revert(incident: Path, seq: int) -> None:
    """Put back what change SEQ (numbered as `gspace history` lists them) replaced, as a new
    change that syncs like any edit: reverting a delete restores the row, reverting an update
    writes the old values again, reverting an insert deletes the row. Nothing is rewritten: the
    revert is itself in the history and can be reverted.

    Example: gspace history revert ~/incidents/kumamoto 1234
    """
    from gspace.change_history import field_text, revert, row

    with Incident.open(incident) as inc:
        reverted, back = revert(inc, seq)
        target = row(inc, reverted.tbl, reverted.row_id)
    what = f"{WHAT[target.tbl]} {target.shown}"
    if not back:
        click.echo(
            say(
                "{what}: already as before change {seq}; nothing changed",
                "{what}: すでに変更 {seq} の前の値です。何も変えていません",
                what=what,
                seq=seq,
            ),
            err=True,
        )
        return
    click.echo(
        say("{what}: put back ", "{what}: 元に戻しました ", what=what)
        + "; ".join(field_text(f) for f in back),
        err=True,
    )
