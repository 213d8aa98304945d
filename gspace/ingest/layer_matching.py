"""Which stored feature a re-imported row is, and what the row changes in it.

A re-import must never merge two places into one: an earlier version matched rows on (empty
name, address) and overwrote shelters with other shelters at the same address. So matching is
one-to-one and conservative. Each stage pairs only rows and features not yet claimed:

0. the same content as the feature was last imported with (a re-import of an unchanged file,
   including rows with no name or id);
1. the source's id column;
2. name and address (both present: a row with no name never matches by address alone);
3. name and a position within 30 m.

Within a stage a key shared by several rows or features is a tie: rows that would change nothing
in one of those features are paired first, then a last single row with a last single feature;
any other row of the tie is added as a new feature and listed as ambiguous. An id match whose
names disagree is not taken: files that number their rows 1, 2, 3 renumber them when a row is
inserted, and the row is then matched by name at the later stages instead (a place renamed in
the file is added anew, beside the old one, rather than risk giving one place's status to
another).

Each feature keeps, in its attributes, what its sources said (`_imported`: name, address, a
digest of the geometry and the source's attributes) and every source file it came from
(`_sources`). A field whose value differs from what the sources said was edited in gspace: a
re-import keeps it and lists the difference.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

import orjson

from gspace.geo import distance_m
from gspace.model import file_attributes

NEAR_M = 30.0


@dataclass
class Row:
    """One incoming row, as the import would store it."""

    index: int
    number: int  # the row number in the file
    name: str | None
    address: str | None
    source_id: str | None
    geometry: dict
    attributes: dict  # source columns and canonical fields, typed

    def snapshot(self) -> dict:
        return {
            "id": self.source_id,
            "name": self.name,
            "address": self.address,
            "geometry": geometry_digest(self.geometry),
            "attributes": self.attributes,
        }


@dataclass
class Merge:
    """The fields a row changes in a feature, and the values edited in gspace it keeps."""

    changes: dict
    kept: list[tuple[str, object, object]] = field(default_factory=list)  # field, kept, file's


def geometry_digest(geometry: dict | None) -> str | None:
    if not geometry:
        return None
    return hashlib.blake2b(
        orjson.dumps(geometry, option=orjson.OPT_SORT_KEYS), digest_size=8
    ).hexdigest()


def content_key(snapshot: dict) -> str:
    return orjson.dumps(snapshot, option=orjson.OPT_SORT_KEYS).decode()


def snapshot_of(feature: dict) -> dict:
    """What the sources said about `feature`; for a feature imported before gspace kept this,
    its current values (nothing counts as edited)."""
    attributes = feature["attributes"]
    if isinstance(attributes.get("_imported"), dict):
        return attributes["_imported"]
    return {
        "id": attributes.get("_source_id"),
        "name": feature["name"],
        "address": feature["address"],
        "geometry": geometry_digest(feature["geometry"]),
        "attributes": file_attributes(attributes),
    }


def merge(feature: dict, row: Row, source: str, source_name: str) -> Merge:
    """The feature after `row`: the file's values win, what it lacks is kept, and so is every
    field edited in gspace (listed in `kept` where the file says otherwise)."""
    snapshot, current = snapshot_of(feature), feature["attributes"]
    kept: list[tuple[str, object, object]] = []
    result: dict = {}
    for name, new, edited in (
        ("name", row.name, feature["name"] != snapshot.get("name")),
        ("address", row.address, feature["address"] != snapshot.get("address")),
        (
            "geometry",
            row.geometry,
            geometry_digest(feature["geometry"]) != snapshot.get("geometry"),
        ),
    ):
        if new in (None, "") or new == feature[name]:
            continue
        if edited:
            kept.append((name, feature[name], new))
        else:
            result[name] = new
    said = snapshot.get("attributes") or {}
    attributes = file_attributes(current)
    for key, new in row.attributes.items():
        if new == attributes.get(key):
            continue
        if attributes.get(key) != said.get(key):  # edited (or added, or removed) in gspace
            kept.append((key, attributes.get(key), new))
        else:
            attributes[key] = new
    sources = list(current.get("_sources") or _legacy_sources(feature))
    if source_name not in sources:
        sources.append(source_name)
        result["source"] = source
    attributes["_source_id"] = row.source_id or current.get("_source_id")
    if attributes["_source_id"] is None:
        del attributes["_source_id"]
    attributes["_sources"] = sources
    attributes["_imported"] = {
        "id": row.source_id or snapshot.get("id"),
        "name": row.name or snapshot.get("name"),
        "address": row.address or snapshot.get("address"),
        "geometry": geometry_digest(row.geometry),
        "attributes": {**said, **row.attributes},
    }
    if attributes != current:
        result["attributes"] = attributes
    return Merge(result, kept)


def _legacy_sources(feature: dict) -> list[str]:
    return [PurePath(feature["source"]).name] if feature.get("source") else []


@dataclass
class Matching:
    pairs: dict[int, dict] = field(default_factory=dict)  # row index -> feature
    ambiguous: dict[int, str] = field(default_factory=dict)  # row index -> why


class _Matcher:
    def __init__(self, rows: list[Row], features: list[dict], identical):
        self.rows, self.features, self.identical = rows, features, identical
        self.snapshots = {f["id"]: snapshot_of(f) for f in features}
        self.claimed: set[str] = set()
        self.result = Matching()

    def free_rows(self):
        return [r for r in self.rows if r.index not in self.result.pairs]

    def free_features(self):
        return [f for f in self.features if f["id"] not in self.claimed]

    def pair(self, row: Row, feature: dict) -> None:
        self.result.pairs[row.index] = feature
        self.result.ambiguous.pop(row.index, None)
        self.claimed.add(feature["id"])

    def contradicts(self, row: Row, feature: dict) -> bool:
        """Both named, and not the same name: not the same place, whatever the id says."""
        name = self.snapshots[feature["id"]].get("name") or feature["name"]
        return bool(row.name and name and name_key(row.name) != name_key(name))

    def by_key(self, stage: str, row_key, feature_key, check_place: bool = False) -> None:
        groups: dict = defaultdict(lambda: ([], []))
        for row in self.free_rows():
            key = row_key(row)
            if key is not None:
                groups[key][0].append(row)
        for feature in self.free_features():
            key = feature_key(feature)
            if key in groups:
                groups[key][1].append(feature)
        for rows, features in groups.values():
            if check_place:
                features = [f for f in features if not any(self.contradicts(r, f) for r in rows)]
            self.settle(stage, rows, features)

    def settle(self, stage: str, rows: list[Row], features: list[dict]) -> None:
        if not features:
            return
        if len(rows) == 1 and len(features) == 1:
            self.pair(rows[0], features[0])
            return
        rows, features = list(rows), list(features)
        for row in list(rows):
            same = next((f for f in features if self.identical(f, row)), None)
            if same is not None:
                self.pair(row, same)
                rows.remove(row)
                features.remove(same)
        if len(rows) == 1 and len(features) == 1:
            self.pair(rows[0], features[0])
            return
        for row in rows:
            if features:
                self.result.ambiguous[row.index] = (
                    f"{len(rows)} rows and {len(features)} features share {stage}: "
                    "added as a new feature"
                )

    def near(self) -> None:
        by_name: dict[str, list[dict]] = defaultdict(list)
        for feature in self.free_features():
            name = self.snapshots[feature["id"]].get("name") or feature["name"]
            if name and feature["lon"] is not None:
                by_name[name].append(feature)
        candidates: dict[int, list[dict]] = {}
        claims: dict[str, list[Row]] = defaultdict(list)
        for row in self.free_rows():
            point = _point(row.geometry)
            if not row.name or point is None:
                continue
            found = [
                f
                for f in by_name.get(row.name, ())
                if distance_m(point[0], point[1], f["lon"], f["lat"]) <= NEAR_M
            ]
            if found:
                candidates[row.index] = found
                for f in found:
                    claims[f["id"]].append(row)
        rows = {r.index: r for r in self.rows}
        for index, found in candidates.items():
            if len(found) == 1 and len(claims[found[0]["id"]]) == 1:
                self.pair(rows[index], found[0])
        for index, found in candidates.items():
            if index in self.result.pairs:
                continue
            free = [f for f in found if f["id"] not in self.claimed]
            same = next((f for f in free if self.identical(f, rows[index])), None)
            if same is not None:
                self.pair(rows[index], same)
            elif free:
                self.result.ambiguous[index] = (
                    f"name and position fit {len(free)} features within {NEAR_M:.0f} m, "
                    "or another row fits the same: added as a new feature"
                )


def name_key(name: str) -> str:
    """A name as compared: full-/half-width forms, spaces and case do not count."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _point(geometry: dict | None) -> tuple[float, float] | None:
    if geometry and geometry.get("type") == "Point":
        return tuple(geometry["coordinates"][:2])
    return None


def match(rows: list[Row], features: list[dict], identical) -> Matching:
    """Pair rows with features one-to-one (stages in the module docstring). `identical(feature,
    row)` is true when the row would change nothing in the feature."""
    matcher = _Matcher(rows, features, identical)
    if not features:  # a first import: no candidates, so no keys worth computing
        return matcher.result
    matcher.by_key(
        "their content",
        lambda r: content_key(r.snapshot()),
        lambda f: content_key(matcher.snapshots[f["id"]]),
    )
    matcher.by_key(
        "the id",
        lambda r: r.source_id or None,
        lambda f: matcher.snapshots[f["id"]].get("id"),
        check_place=True,
    )
    matcher.by_key(
        "name and address",
        lambda r: (r.name, r.address) if r.name and r.address else None,
        lambda f: (
            matcher.snapshots[f["id"]].get("name"),
            matcher.snapshots[f["id"]].get("address"),
        ),
    )
    matcher.near()
    return matcher.result
