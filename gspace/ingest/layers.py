"""Importing reference layers (shelters, water-supply points, Wi-Fi, ...) into an incident.

The file is read by `gspace.ingest.layer_files`; this module writes its rows as features of one
kind into one layer, in one transaction. A re-import goes into one layer (by default the layer of
that kind imported from a file of the same name, else the one given with `into`) and matches
only that layer's features, one-to-one (`gspace.ingest.layer_matching`): two cities' files whose
ids are both 1, 2, 3 never overwrite each other. Values are stored typed as the kind says
(capacity 800, not "800").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from gspace.catalog import LayerKind, incident_catalog
from gspace.errors import GspaceError
from gspace.ingest.layer_files import LayerSummary, coordinates, detect_mapping, read_table
from gspace.ingest.layer_matching import Row, match, merge
from gspace.model import FEATURE_BOOKKEEPING
from gspace.store import records
from gspace.store.incident import Incident

NOT_ATTRIBUTES = ("lat", "lon", "x", "y", "name", "address", "id")


class ImportCancelled(GspaceError):
    """Raised inside the import's transaction, so that nothing of it is kept."""


@dataclass
class ImportSummary(LayerSummary):
    """The reader's summary and what the writing decided: the layer, rows that matched more
    than one feature, values edited in gspace that the file would have replaced."""

    into: str = ""  # the layer the rows went into (`layer` is the source's layer read)
    new_layer: bool = False
    no_name: bool = False
    ambiguous: list[tuple[int, str]] = field(default_factory=list)  # row, why
    kept: list[tuple[str, str, object, object]] = field(default_factory=list)  # feature, field,
    # the value kept, the file's value

    def line(self) -> str:
        text = super().line()
        if self.no_name:
            text += "; no name column found: the features have no names"
        if self.ambiguous:
            text += f"; {len(self.ambiguous)} ambiguous rows added as new features"
        if self.kept:
            text += f"; {len(self.kept)} values edited in gspace kept"
        return text

    def details(self) -> list[str]:
        """How the file was read, then one line per ambiguous row and per kept value."""
        ambiguous = [f"row {row}: ambiguous: {why}" for row, why in self.ambiguous]
        return (
            super().details()
            + ambiguous
            + [
                f"{name or '(no name)'}: kept {field_name} = {_say(kept)} edited in gspace "
                f"(the file has {_say(new)})"
                for name, field_name, kept, new in self.kept
            ]
        )


def _say(value) -> str:
    return "—" if value in (None, "") else repr(value) if isinstance(value, str) else str(value)


# -- target layer ----------------------------------------------------------------------------
def layers_of(incident: Incident, kind: str) -> list[dict]:
    """The incident's layers of `kind`, newest first, with their feature counts."""
    cursor = incident.conn.execute(
        "SELECT l.id, l.name, l.source, l.imported_at, "
        "(SELECT count(*) FROM features f WHERE f.layer_id = l.id AND f.deleted = 0) "
        "FROM layers l WHERE l.kind = ? AND l.deleted = 0 "
        "ORDER BY l.imported_at DESC, l.rowid DESC",
        (kind,),
    )
    keys = ("id", "name", "source", "imported_at", "features")
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def target_layer(incident: Incident, kind: str, path: Path, into: str | None) -> dict | None:
    """The layer a file goes into: `into` (a layer id, or a name: a name no layer has makes a
    new layer of that name); by default the layer of the same file name (or the same name with
    another suffix: the GeoJSON of a CSV). None: a new layer named after the file."""
    layers = layers_of(incident, kind)
    if into:
        by_id = incident.conn.execute(
            "SELECT kind FROM layers WHERE id = ? AND deleted = 0", (into,)
        ).fetchone()
        if by_id and by_id[0] != kind:
            raise GspaceError(f"layer {into} holds {by_id[0]} features, not {kind}")
        named = [
            layer for layer in layers if layer["id"] == into or _key(layer["name"]) == _key(into)
        ]
        if len(named) > 1:
            found = ", ".join(f"{layer['id']} ({layer['features']} features)" for layer in named)
            raise GspaceError(f"several {kind} layers are named {into!r}: give the id ({found})")
        return named[0] if named else {"id": None, "name": into}
    for same in (
        lambda layer: _key(layer["name"]) == _key(path.name),
        lambda layer: _key(Path(layer["name"]).stem) == _key(path.stem),
    ):
        found = [layer for layer in layers if same(layer)]
        if found:  # several: a store from before re-imports kept to one layer, one dataset
            return {**found[0], "also": [layer["id"] for layer in found[1:]]}
    return None


def _key(name: str) -> str:
    return name.strip().casefold()


def _layer_features(incident: Incident, layer_ids: list[str]) -> list[dict]:
    cursor = incident.conn.execute(
        "SELECT id, name, address, geometry, lon, lat, attributes, source FROM features "
        f"WHERE layer_id IN ({', '.join('?' * len(layer_ids))}) AND deleted = 0 ORDER BY fid",
        layer_ids,
    )
    keys = [d[0] for d in cursor.description]
    features = []
    for values in cursor:
        feature = dict(zip(keys, values, strict=True))
        feature["geometry"] = orjson.loads(feature["geometry"]) if feature["geometry"] else None
        feature["attributes"] = orjson.loads(feature["attributes"] or "{}")
        features.append(feature)
    return features


# -- rows ------------------------------------------------------------------------------------
def _attribute_plan(mapping: dict[str, str]) -> tuple[set, list[tuple[str, str]]]:
    """Which source columns are not attributes, and which canonical extras to add."""
    skip = {"_row", *(mapping.get(k) for k in ("lat", "lon", "x", "y", "name", "address"))}
    extras = [
        (canonical, column)
        for canonical, column in mapping.items()
        if canonical not in NOT_ATTRIBUTES
    ]
    return skip, extras


def _attributes(row: dict, plan: tuple[set, list[tuple[str, str]]], kind: LayerKind) -> dict:
    skip, extras = plan
    # a file exported by gspace carries our bookkeeping columns (`_sources`, ...): the feature
    # keeps its own, or a re-import of that unchanged file would list them as edited in gspace
    attributes = {
        k: v for k, v in row.items() if v != "" and k not in skip and k not in FEATURE_BOOKKEEPING
    }
    for canonical, column in extras:
        if row.get(column):
            attributes[canonical] = _typed(kind, canonical, row[column])
    return attributes


def _typed(kind: LayerKind, name: str, text: str):
    """The value as the kind's type says; text that does not fit the type is kept as text."""
    try:
        return kind.field_type(name).parse(name, text)
    except GspaceError:
        return text.strip()


def _rows(table, geometries, mapping: dict[str, str], kind: LayerKind) -> list[Row]:
    plan, rows = _attribute_plan(mapping), []
    for row, geometry in zip(table.rows, geometries, strict=True):
        if geometry is None:
            continue
        rows.append(
            Row(
                index=len(rows),
                number=row["_row"],
                name=row.get(mapping.get("name", ""), "") or None,
                address=row.get(mapping.get("address", ""), "") or None,
                source_id=row.get(mapping.get("id", ""), "") or None,
                geometry=geometry,
                attributes=_attributes(row, plan, kind),
            )
        )
    return rows


# -- the import ------------------------------------------------------------------------------
def import_layer(
    incident: Incident,
    path: str | Path,
    kind: str,
    *,
    encoding: str | None = None,
    crs: str | None = None,
    source_layer: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    columns: dict[str, str] | None = None,
    into: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import one file as features of `kind` into one layer (`into`: a layer id or name, see
    `target_layer`). `columns` (canonical field -> source column) replaces the detected
    mapping, as edited in the import dialog; `source_layer` names the layer of a source with
    several (or "all"); when `cancelled()` turns true the import stops and its transaction is
    rolled back."""
    path = Path(path)
    catalog = incident_catalog(incident.path)
    if kind not in catalog:
        raise GspaceError(f"unknown layer kind {kind!r} (known: {', '.join(sorted(catalog))})")
    layer_kind = catalog[kind]
    table = read_table(path, encoding, source_layer)
    mapping = columns if columns is not None else detect_mapping(table, layer_kind, lat, lon)
    summary = ImportSummary.for_table(kind, table, mapping)
    summary.no_name = "name" not in mapping
    geometries = coordinates(table, mapping, crs, summary)
    rows = _rows(table, geometries, mapping, layer_kind)
    default_status = layer_kind.statuses[-1].id if layer_kind.statuses else None
    with incident.transaction():
        layer = target_layer(incident, kind, path, into)
        features = (
            _layer_features(incident, [layer["id"], *layer.get("also", ())])
            if layer and layer["id"]
            else []
        )
        matching = match(rows, features, lambda f, r: not merge(f, r, str(path), path.name).changes)
        new = []
        for number, row in enumerate(rows):
            if cancelled and number % 500 == 0 and cancelled():
                raise ImportCancelled("the import was cancelled: nothing was changed")
            feature = matching.pairs.get(row.index)
            if feature is None:
                new.append(_new_feature(row, path, default_status))
                if row.index in matching.ambiguous:
                    summary.ambiguous.append((row.number, matching.ambiguous[row.index]))
                continue
            result = merge(feature, row, str(path), path.name)
            summary.kept += [(feature["name"], *k) for k in result.kept]
            if result.changes:
                records.update_feature(incident, feature["id"], **result.changes)
                summary.updated += 1
            else:
                summary.unchanged += 1
        if new:
            if layer is None or layer["id"] is None:
                name = layer["name"] if layer else path.name
                layer = {"id": records.add_layer(incident, kind, name, str(path)), "name": name}
                summary.new_layer = True
            records.add_features(incident, layer["id"], kind, new)
        summary.into = layer["name"] if layer else path.name
        summary.added = len(new)
        _log(incident, path, summary)
    return summary


def _new_feature(row: Row, path: Path, status: str | None) -> dict:
    attributes = dict(row.attributes)
    if row.source_id:
        attributes["_source_id"] = row.source_id
    attributes["_sources"] = [path.name]
    attributes["_imported"] = row.snapshot()
    return {
        "name": row.name,
        "address": row.address,
        "geometry": row.geometry,
        "attributes": attributes,
        "status": status,
        "source": str(path),
    }


def _log(incident: Incident, path: Path, summary: LayerSummary) -> None:
    now = incident.now()
    incident.conn.executemany(
        "INSERT INTO import_log (run_id, at, importer, path, outcome, reason, record_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (None, now, "layer", f"{path}:{row}", "skipped", reason, None)
            for row, reason in summary.skipped
        ]
        + [(None, now, "layer", str(path), "imported", summary.line(), None)],
    )
