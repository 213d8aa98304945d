"""Re-importing reference layers from real municipal files: one layer per dataset, one-to-one
matching that never merges two places into one, attributes merged across formats, typed fields.

Every file here is a real one from ../shared/fixtures/layers or derived from one in tmp_path
(columns renamed, names emptied, ids renumbered, rows shuffled)."""

import csv
import io
import json
import random
from pathlib import Path

import pytest
from helpers import run_gspace
from pyogrio.raw import read

from gspace.catalog import incident_catalog, set_fields
from gspace.errors import GspaceError
from gspace.ingest.layers import import_layer, layers_of
from gspace.store import query, records
from gspace.store.incident import Incident

MATSUYAMA_CSV = "382019_evacuation_space.csv"
MATSUYAMA_GEOJSON = "evacuation_sites.geojson"
KYOTO = "ShelterModel-2021-09-05_ShiftJIS.csv"
ICHIKAWA = "122033_103_evacuation_space.csv"
TOKYO_GSI = "tokyo_evacuation_area_point.json"


def encoding_of(name: str) -> str:
    return "utf-8-sig" if name == MATSUYAMA_CSV else "cp932"


def read_csv(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    return rows[0], [r for r in rows[1:] if any(r)]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def derive(source: Path, target: Path, renames=None, change=None, shuffle=False) -> Path:
    """A copy of a real CSV with columns renamed, each row changed by `change(row dict)`, and
    (`shuffle`) its rows in another order."""
    encoding = encoding_of(source.name)
    header, rows = read_csv(source, encoding)
    if change:
        dicts = [dict(zip(header, r, strict=False)) for r in rows]
        for row in dicts:
            change(row)
        rows = [[row[h] for h in header] for row in dicts]
    if shuffle:
        random.Random(14).shuffle(rows)
    header = [(renames or {}).get(h, h) for h in header]
    return write_csv(target, header, rows, encoding)


def store_state(incident) -> tuple:
    """Everything an import could change: every feature row as stored, the change log's size,
    the layers."""
    features = incident.conn.execute("SELECT * FROM features ORDER BY fid").fetchall()
    changes = incident.conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    layers = incident.conn.execute("SELECT * FROM layers ORDER BY id").fetchall()
    return features, changes, layers


def assert_reimport_changes_nothing(incident, path: Path, kind: str, **options) -> None:
    before = store_state(incident)
    again = import_layer(incident, path, kind, **options)
    assert (again.added, again.updated, again.ambiguous) == (0, 0, [])
    assert store_state(incident) == before


# -- re-importing an unchanged file ----------------------------------------------------------
# file, kind, rows with usable coordinates
FIXTURE_FILES = [
    ("122033_103_evacuation_space.csv", "shelter", 121),
    ("122033_107_public_wireless_lan.csv", "wifi", 45),
    ("122033_207_well_for_disaster.csv", "water", 14),
    ("130001_public_wireless_lan_20240901.csv", "wifi", 737),
    (MATSUYAMA_CSV, "shelter", 390),
    (KYOTO, "shelter", 424),
    (MATSUYAMA_GEOJSON, "shelter", 390),
    (TOKYO_GSI, "shelter", 1421),
]


@pytest.mark.parametrize(
    ("name", "kind", "count"), FIXTURE_FILES, ids=[f[0] for f in FIXTURE_FILES]
)
def test_reimporting_an_unchanged_file_changes_nothing(layers_dir, incident, name, kind, count):
    first = import_layer(incident, layers_dir / name, kind)
    assert (first.added, first.new_layer, first.into) == (count, True, name)
    assert "no name column" not in first.line()
    assert_reimport_changes_nothing(incident, layers_dir / name, kind)
    assert len(list(query.features(incident))) == count


# -- header aliases --------------------------------------------------------------------------
# real file, its name column, columns renamed as other publishers name them
RENAMED = [
    (MATSUYAMA_CSV, "名称", {"名称": "shelter_name", "所在地_連結表記": "address", "ID": "no"}),
    (MATSUYAMA_CSV, "名称", {"名称": "施設・場所名", "緯度": "latitude", "経度": "longitude"}),
    (ICHIKAWA, "名称", {"名称": "施設名称", "所在地_連結表記": "所在地"}),
    (ICHIKAWA, "名称", {"名称": "避難所名", "所在地_連結表記": "住所"}),
    (KYOTO, "name", {"name": "facility_name", "address": "所在地"}),
    (KYOTO, "name", {"name": "名称", "id": "ID"}),
]


@pytest.mark.parametrize(
    ("name", "name_column", "renames"), RENAMED, ids=[str(r[2]) for r in RENAMED]
)
def test_names_are_found_under_the_column_names_publishers_use(
    layers_dir, tmp_path, incident, name, name_column, renames
):
    header, rows = read_csv(layers_dir / name, encoding_of(name))
    names = {r[header.index(name_column)].strip() for r in rows}
    path = derive(layers_dir / name, tmp_path / "renamed" / name, renames)
    summary = import_layer(incident, path, "shelter")
    assert summary.mapping["name"] == renames[name_column]
    assert "no name column" not in summary.line()
    assert {f["name"] for f in query.features(incident)} == names
    assert_reimport_changes_nothing(incident, path, "shelter")


def test_a_file_without_a_name_column_says_so(layers_dir, tmp_path, incident):
    path = derive(layers_dir / MATSUYAMA_CSV, tmp_path / "x.csv", {"名称": "場所"})
    summary = import_layer(incident, path, "shelter")
    assert summary.added == 390 and summary.no_name
    assert summary.line().endswith("; no name column found: the features have no names")


# -- no two places merged into one -----------------------------------------------------------
def nameless_duplicated_addresses(layers_dir, tmp_path, shuffle: bool) -> Path:
    """Tokyo's evacuation sites (148 of them share an address with another) as a CSV whose name
    column is not recognised: the file of the issue, where names were all empty."""
    document = json.loads((layers_dir / TOKYO_GSI).read_text(encoding="utf-8"))
    rows = [
        [
            f["properties"]["指定緊急避難場所"],
            f["properties"]["所在地"],
            *map(str, f["geometry"]["coordinates"][::-1]),
        ]
        for f in document["features"]
    ]
    if shuffle:
        random.Random(14).shuffle(rows)
    return write_csv(tmp_path / "tokyo.csv", ["避難先", "住所", "緯度", "経度"], rows, "utf-8")


def distinct_places(incident) -> set:
    return {(f["address"], f["lat"], f["lon"]) for f in query.features(incident)}


@pytest.mark.parametrize("shuffle", [False, True], ids=["same order", "rows reordered"])
def test_rows_without_names_sharing_addresses_are_never_merged(
    layers_dir, tmp_path, incident, shuffle
):
    path = nameless_duplicated_addresses(layers_dir, tmp_path, shuffle=False)
    first = import_layer(incident, path, "shelter")
    assert first.added == 1421 and first.no_name
    places = distinct_places(incident)
    assert len(places) == 1421
    path = nameless_duplicated_addresses(layers_dir, tmp_path, shuffle=shuffle)
    assert_reimport_changes_nothing(incident, path, "shelter")
    assert distinct_places(incident) == places


def test_a_changed_file_with_shared_addresses_updates_each_row_own_feature(
    layers_dir, tmp_path, incident
):
    """Kyoto's list with its names emptied: its ids still say which row is which, in any
    order; a changed capacity changes that shelter only."""
    header, rows = read_csv(layers_dir / KYOTO, "cp932")
    source = {r[0]: dict(zip(header, r, strict=True)) for r in rows}

    def no_name(row):
        row["name"] = ""

    first = derive(layers_dir / KYOTO, tmp_path / "v1" / KYOTO, change=no_name)
    assert import_layer(incident, first, "shelter").added == 424

    def no_name_more_room(row):
        row["name"] = ""
        if int(row["id"]) % 10 == 0:
            row["capacity"] = str(int(row["capacity"] or 0) + 100)

    second = derive(
        layers_dir / KYOTO, tmp_path / "v2" / KYOTO, change=no_name_more_room, shuffle=True
    )
    summary = import_layer(incident, second, "shelter")
    assert (summary.added, summary.updated, summary.unchanged) == (0, 42, 382)
    features = list(query.features(incident))
    assert len({f["attributes"]["_source_id"] for f in features}) == 424
    for f in features:  # each feature still holds its own row
        row = source[f["attributes"]["_source_id"]]
        assert (f["address"], f["attributes"]["tel"]) == (row["address"].strip(), row["tel"])
        extra = 100 if int(row["id"]) % 10 == 0 else 0
        assert f["attributes"]["capacity"] == int(row["capacity"] or 0) + extra


def test_a_row_inserted_into_a_numbered_list_does_not_shift_its_places(
    layers_dir, tmp_path, incident
):
    """Tokyo's Wi-Fi list numbers its rows (NO 1..737); a newer version with a spot inserted
    near the top renumbers every later row. Ids that now name another place (another name)
    are not trusted: the places are matched by name and address instead."""
    wifi = "130001_public_wireless_lan_20240901.csv"
    header, rows = read_csv(layers_dir / wifi, "cp932")
    no, name, lat = header.index("NO"), header.index("名称"), header.index("緯度")
    first = write_csv(tmp_path / "v1" / wifi, header, rows, "cp932")
    assert import_layer(incident, first, "wifi").added == 737
    inserted = list(rows[2])
    inserted[name], inserted[lat] = "新設スポット", str(float(inserted[lat]) + 0.01)
    newer = [*rows[:3], inserted, *rows[3:]]
    for number, row in enumerate(newer, start=1):
        row = newer[number - 1] = list(row)
        row[no] = str(number)
    second = write_csv(tmp_path / "v2" / wifi, header, newer, "cp932")
    summary = import_layer(incident, second, "wifi")
    assert summary.added == 1 + len(summary.ambiguous) and len(summary.ambiguous) <= 6
    # each shifted row: its new NO (the same spot listed twice may take its twin's number)
    assert summary.updated + summary.unchanged == 737 - len(summary.ambiguous)
    assert summary.updated >= 720
    places = {row[no]: row for row in rows} | {"v2:" + row[no]: row for row in newer}
    for feature in query.features(incident):  # each feature holds one row, of v1 or of v2
        sid = feature["attributes"]["_source_id"]
        candidates = [places.get(sid), places.get("v2:" + sid)]
        assert any(
            row is not None and (row[name], float(row[lat])) == (feature["name"], feature["lat"])
            for row in candidates
        ), feature["name"]
    names = {(f["name"], f["lat"], f["lon"]) for f in query.features(incident)}
    assert len(names) == len({(r[name], r[lat], r[lat + 1]) for r in newer})


def test_a_tie_adds_a_new_feature_and_lists_it(tmp_path, incident):
    one = tmp_path / "a" / "s.csv"
    write_csv(
        one,
        ["名称", "住所", "緯度", "経度"],
        [["公民館", "松山市1", "33.84", "132.76"], ["公民館", "松山市1", "33.85", "132.77"]],
        "utf-8",
    )
    assert import_layer(incident, one, "shelter").added == 2
    two = write_csv(  # both moved by 2 km: name and address fit both features
        tmp_path / "b" / "s.csv",
        ["名称", "住所", "緯度", "経度"],
        [["公民館", "松山市1", "33.86", "132.78"], ["公民館", "松山市1", "33.87", "132.79"]],
        "utf-8",
    )
    summary = import_layer(incident, two, "shelter")
    assert (summary.added, summary.updated, len(summary.ambiguous)) == (2, 0, 2)
    assert summary.line().endswith("; 2 ambiguous rows added as new features")
    assert summary.details()[1:] == [  # after how the file was read
        f"row {n}: ambiguous: 2 rows and 2 features share name and address: added as a new feature"
        for n in (2, 3)
    ]
    assert len(list(query.features(incident))) == 4  # nothing overwritten


# -- two cities, one kind --------------------------------------------------------------------
def test_two_cities_with_the_same_numeric_ids_stay_whole_in_their_own_layers(
    layers_dir, tmp_path, incident
):
    counter = iter(range(1, 1000))

    def numbered(row):
        row["ID"] = str(next(counter))  # Matsuyama renumbered 1..390, as Kyoto's 1..424

    matsuyama = derive(layers_dir / MATSUYAMA_CSV, tmp_path / "matsuyama.csv", change=numbered)
    kyoto = layers_dir / KYOTO
    assert import_layer(incident, kyoto, "shelter").added == 424
    assert import_layer(incident, matsuyama, "shelter").added == 390
    layers = {layer["name"]: layer["features"] for layer in layers_of(incident, "shelter")}
    assert layers == {KYOTO: 424, "matsuyama.csv": 390}

    def by_layer():
        rows = incident.conn.execute(
            "SELECT l.name, f.name, f.attributes, coalesce((SELECT max(c.hlc) FROM field_clocks c"
            " WHERE c.tbl = 'features' AND c.row_id = f.id), f.hlc) FROM features f JOIN layers l"
            " ON l.id = f.layer_id ORDER BY f.fid"
        )
        result: dict = {}
        for layer, name, attributes, hlc in rows:
            result.setdefault(layer, []).append((name, json.loads(attributes)["_source_id"], hlc))
        return result

    before = by_layer()
    assert len({sid for _, sid, _ in before[KYOTO]} & {s for _, s, _ in before["matsuyama.csv"]})
    assert_reimport_changes_nothing(incident, kyoto, "shelter")
    assert_reimport_changes_nothing(incident, matsuyama, "shelter")

    def busier(row):
        if row["id"] == "1":
            row["capacity"] = "999"

    newer = derive(kyoto, tmp_path / "newer" / KYOTO, change=busier)
    summary = import_layer(incident, newer, "shelter")
    assert (summary.added, summary.updated, summary.into) == (0, 1, KYOTO)
    after = by_layer()
    assert after["matsuyama.csv"] == before["matsuyama.csv"]
    changed = [a for a, b in zip(after[KYOTO], before[KYOTO], strict=True) if a != b]
    assert [sid for _, sid, _ in changed] == ["1"]


def test_into_picks_the_layer_by_name_or_id(layers_dir, tmp_path, incident):
    import_layer(incident, layers_dir / MATSUYAMA_CSV, "shelter")
    [layer] = layers_of(incident, "shelter")
    renamed = derive(layers_dir / MATSUYAMA_CSV, tmp_path / "松山市避難所.csv")
    for into in (MATSUYAMA_CSV, layer["id"]):
        summary = import_layer(incident, renamed, "shelter", into=into)
        assert (summary.added, summary.into, summary.new_layer) == (0, MATSUYAMA_CSV, False)
    fresh = import_layer(incident, renamed, "shelter", into="松山市（複製）")
    assert (fresh.added, fresh.new_layer) == (390, True)
    with pytest.raises(GspaceError, match="holds shelter features, not wifi"):
        import_layer(incident, renamed, "wifi", into=layer["id"])


# -- the same dataset in another format ------------------------------------------------------
def test_csv_then_geojson_merges_attributes_keeps_edits_and_remembers_both_sources(
    layers_dir, incident
):
    csv_path, geojson_path = layers_dir / MATSUYAMA_CSV, layers_dir / MATSUYAMA_GEOJSON
    import_layer(incident, csv_path, "shelter")
    kind = incident_catalog(incident.path)["shelter"]
    castle = next(f for f in query.features(incident) if f["name"] == "城山公園")
    with incident.transaction():  # edited in gspace: a capacity, a phone number, the status
        attributes = set_fields(castle["attributes"], {"capacity": "48000", "phone": "089-1"}, kind)
        records.update_feature(incident, castle["id"], attributes=attributes, status="open")
    summary = import_layer(incident, geojson_path, "shelter", into=MATSUYAMA_CSV)
    assert (summary.added, summary.updated, summary.ambiguous) == (0, 390, [])
    assert summary.kept == [("城山公園", "capacity", 48000, 50700)]
    assert "1 values edited in gspace kept" in summary.line()
    assert summary.details()[1:] == [  # after how the file was read
        "城山公園: kept capacity = 48000 edited in gspace (the file has 50700)"
    ]
    features = {f["attributes"]["_source_id"]: f for f in query.features(incident)}
    assert len(features) == 390
    castle = features["E3820100602201"]
    attributes = castle["attributes"]
    assert attributes["名称_カナ"] == "シロヤマコウエン"  # the CSV's column, which GeoJSON lacks
    assert attributes["disasterTypes"] == '["stormSurge", "earthquake", "tsunami", "largeFire"]'
    assert (attributes["capacity"], attributes["phone"], castle["status"]) == (
        48000,
        "089-1",
        "open",
    )
    assert attributes["_sources"] == [MATSUYAMA_CSV, MATSUYAMA_GEOJSON]
    assert castle["source"] == str(geojson_path)
    assert all(f["attributes"]["_sources"] == attributes["_sources"] for f in features.values())
    assert_reimport_changes_nothing(incident, geojson_path, "shelter", into=MATSUYAMA_CSV)
    assert_reimport_changes_nothing(incident, csv_path, "shelter")


# -- typed fields ----------------------------------------------------------------------------
# kind, field, text, stored (or the error)
TYPED = [
    ("shelter", "capacity", "800", 800),
    ("shelter", "capacity", "50,700 ", 50700),
    ("shelter", "capacity", "１２００", 1200),
    ("shelter", "capacity", "abc", "capacity takes a whole number, not 'abc'"),
    ("shelter", "capacity", "12.5", "capacity takes a whole number, not '12.5'"),
    ("shelter", "phone", "0895551234", "0895551234"),  # text stays text: no lost zero
    ("wifi", "checked", "2024/9/1", "2024-09-01"),
    ("wifi", "checked", "2024年9月31日", "checked takes a date (YYYY-MM-DD), not '2024年9月31日'"),
]


@pytest.mark.parametrize(("kind", "name", "text", "stored"), TYPED)
def test_field_values_are_stored_as_their_type_says(tmp_path, kind, name, text, stored):
    catalog = incident_catalog(tmp_path)
    if isinstance(stored, str) and " takes " in stored:
        with pytest.raises(GspaceError) as error:
            set_fields({}, {name: text}, catalog[kind])
        assert str(error.value) == stored
    else:
        assert set_fields({}, {name: text}, catalog[kind]) == {name: stored}


def test_an_empty_value_removes_the_field(tmp_path):
    shelter = incident_catalog(tmp_path)["shelter"]
    assert set_fields({"capacity": 800, "phone": "1"}, {"capacity": " "}, shelter) == {"phone": "1"}


def test_a_users_kind_with_a_number_and_a_choice(tmp_path):
    from gspace.catalog import load_catalog

    (tmp_path / "tank.toml").write_text(
        'kind = "tank"\ntitle = { ja = "貯水槽", en = "Tanks" }\nfields = ["name", "litres"]\n'
        '[types]\nlitres = "number"\nmaterial = { type = "choice", choices = ["鋼", "FRP"] }\n',
        encoding="utf-8",
    )
    tank = load_catalog(tmp_path)["tank"]
    assert set_fields({}, {"litres": "1.5e3", "material": "FRP"}, tank) == {
        "litres": 1500,
        "material": "FRP",
    }
    with pytest.raises(GspaceError, match="material takes one of 鋼, FRP, not '木'"):
        set_fields({}, {"material": "木"}, tank)
    (tmp_path / "tank.toml").write_text(
        'kind = "tank"\ntitle = { ja = "貯水槽", en = "Tanks" }\n[types]\nlitres = "litre"\n',
        encoding="utf-8",
    )
    with pytest.raises(GspaceError, match="tank.toml: the type of litres must be one of"):
        load_catalog(tmp_path)


def test_cli_feature_set_stores_numbers_and_refuses_text_for_them(layers_dir, tmp_path):
    run_gspace("init", tmp_path / "inc", check=True)
    run_gspace(
        "import", "layer", tmp_path / "inc", layers_dir / KYOTO, "--kind", "shelter", check=True
    )
    features = json.loads(run_gspace("features", tmp_path / "inc").stdout)["features"]
    fid = features[0]["properties"]["id"]
    ok = run_gspace("feature", "set", tmp_path / "inc", fid, "--field", "capacity=800")
    assert ok.returncode == 0, ok.stderr
    bad = run_gspace("feature", "set", tmp_path / "inc", fid, "--field", "capacity=abc")
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == ["gspace: capacity takes a whole number, not 'abc'"]
    features = json.loads(run_gspace("features", tmp_path / "inc").stdout)["features"]
    assert features[0]["properties"]["attributes"]["capacity"] == 800
    assert "_imported" not in features[0]["properties"]["attributes"]


def test_cli_import_layer_into_and_the_reimport_lines(layers_dir, tmp_path):
    run_gspace("init", tmp_path / "inc", check=True)
    first = run_gspace(
        "import", "layer", tmp_path / "inc", layers_dir / MATSUYAMA_CSV, "--kind", "shelter"
    )
    assert f"layer: {MATSUYAMA_CSV} (new)" in first.stderr.splitlines()
    again = run_gspace(
        "import",
        "layer",
        tmp_path / "inc",
        layers_dir / MATSUYAMA_GEOJSON,
        "--kind",
        "shelter",
        "--into",
        MATSUYAMA_CSV,
    )
    assert again.returncode == 0, again.stderr
    assert f"layer: {MATSUYAMA_CSV}" in again.stderr.splitlines()
    assert again.stderr.splitlines()[-1] == "shelter: 0 added, 390 updated, 0 unchanged, 0 skipped"


def test_a_gspace_geopackage_reimported_unchanged_changes_nothing(layers_dir, tmp_path, incident):
    """An export carries the file's columns, not gspace's bookkeeping (`_sources`, ...): imported
    from it, a feature keeps its own, and the same file again changes (and lists) nothing."""
    import_layer(incident, layers_dir / MATSUYAMA_CSV, "shelter")
    exported = tmp_path / "避難所.gpkg"
    run_gspace("export", incident.path, exported, "--layer", "shelter", check=True)
    columns = {c.casefold() for c in read(exported, layer="shelter")[0]["fields"]}
    features = run_gspace("features", incident.path, check=True).stdout
    for bookkeeping in ("_sources", "_source_id", "_imported"):  # gspace's own, not the file's
        assert bookkeeping not in columns and f'"{bookkeeping}"' not in features
    with Incident.create(tmp_path / "hq") as hq:
        first = import_layer(hq, exported, "shelter", source_layer="shelter")
        assert first.added == 390
        again = import_layer(hq, exported, "shelter", source_layer="shelter")
        assert (again.added, again.updated, again.unchanged, again.kept) == (0, 0, 390, [])
        sources = {tuple(f["attributes"]["_sources"]) for f in query.features(hq)}
        assert sources == {("避難所.gpkg",)}
