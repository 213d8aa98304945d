"""Importing reference layers (shelters, water-supply points, Wi-Fi, ...) into an incident.

The file is read by `gspace.ingest.layer_files`; this module writes its rows as features of one
kind. A file is imported in one transaction. Re-importing a newer version of a dataset updates
features in place (matched by the source's id column, else by name and address) and keeps the
statuses and notes set in gspace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gspace import query, records
from gspace.catalog import incident_catalog
from gspace.errors import GspaceError
from gspace.incident import Incident
from gspace.ingest.layer_files import LayerSummary, coordinates, detect_mapping, read_table


class ImportCancelled(GspaceError):
    """Raised inside the import's transaction, so that nothing of it is kept."""


# -- the import ------------------------------------------------------------------------------
def _attribute_plan(mapping: dict[str, str]) -> tuple[set, list[tuple[str, str]]]:
    """Which source columns are not attributes, and which canonical extras to add."""
    skip = {"_row", *(mapping.get(k) for k in ("lat", "lon", "x", "y", "name", "address"))}
    extras = [
        (canonical, column)
        for canonical, column in mapping.items()
        if canonical not in ("lat", "lon", "x", "y", "name", "address", "id")
    ]
    return skip, extras


def _attributes(row: dict, plan: tuple[set, list[tuple[str, str]]]) -> dict:
    skip, extras = plan
    attributes = {k: v for k, v in row.items() if v != "" and k not in skip}
    for canonical, column in extras:
        if row.get(column):
            attributes[canonical] = _number_or_text(row[column])
    return attributes


def _number_or_text(text: str):
    compact = text.replace(",", "").strip()
    try:
        return int(compact)
    except ValueError:
        return text


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
    cancelled: Callable[[], bool] | None = None,
) -> LayerSummary:
    """Import one file as features of `kind`. `columns` (canonical field -> source column)
    replaces the detected mapping, as edited in the import dialog; `source_layer` names the
    layer of a source with several (or "all"); when `cancelled()` turns true the import stops
    and its transaction is rolled back."""
    path = Path(path)
    catalog = incident_catalog(incident.path)
    if kind not in catalog:
        raise GspaceError(f"unknown layer kind {kind!r} (known: {', '.join(sorted(catalog))})")
    layer_kind = catalog[kind]
    table = read_table(path, encoding, source_layer)
    mapping = columns if columns is not None else detect_mapping(table, layer_kind, lat, lon)
    summary = LayerSummary.for_table(kind, table, mapping)
    geometries = coordinates(table, mapping, crs, summary)
    existing = list(query.features(incident, [kind]))
    by_id = {
        f["attributes"].get("_source_id"): f for f in existing if f["attributes"].get("_source_id")
    }
    by_name = {(f["name"], f["address"]): f for f in existing}
    default_status = layer_kind.statuses[-1].id if layer_kind.statuses else None
    new, plan = [], _attribute_plan(mapping)
    with incident.transaction():
        for number, (row, geometry) in enumerate(zip(table.rows, geometries, strict=True)):
            if cancelled and number % 500 == 0 and cancelled():
                raise ImportCancelled("the import was cancelled: nothing was changed")
            if geometry is None:
                continue
            name = row.get(mapping.get("name", ""), "") or None
            address = row.get(mapping.get("address", ""), "") or None
            source_id = row.get(mapping.get("id", ""), "") or None
            attributes = _attributes(row, plan)
            if source_id:
                attributes["_source_id"] = source_id
            match = by_id.get(source_id) if source_id else None
            match = match or by_name.get((name, address))
            values = {
                "name": name,
                "address": address,
                "geometry": geometry,
                "attributes": attributes,
            }
            if match is None:
                new.append({**values, "status": default_status, "source": str(path)})
                continue
            changes = {k: v for k, v in values.items() if match[k] != v}
            if changes:
                records.update_feature(incident, match["id"], **changes)
                summary.updated += 1
            else:
                summary.unchanged += 1
        if new:
            layer_id = records.add_layer(incident, kind, path.name, str(path))
            records.add_features(incident, layer_id, kind, new)
        summary.added = len(new)
        _log(incident, path, summary)
    return summary


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
