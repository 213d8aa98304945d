"""The command line through the real `gspace` entry point (a subprocess, as a user runs it)."""

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess

import pytest
from helpers import gspace_command, run_gspace, tree_digest


def geojson(result):
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "FeatureCollection"
    return data["features"]


def test_demo_then_reports_prints_every_report_as_rfc7946(tmp_path):
    run_gspace("demo", tmp_path / "d", "--no-gui", check=True)
    features = geojson(run_gspace("reports", tmp_path / "d", "--format", "geojson"))
    assert len(features) == 300
    located = [f for f in features if f["geometry"]]
    assert len(located) == 282
    lon, lat = located[0]["geometry"]["coordinates"]
    assert 130.5 < lon < 131 and 32.5 < lat < 33.1  # [lon, lat] order, around Kumamoto
    unlocated = [f for f in features if f["geometry"] is None]
    assert len(unlocated) == 18 and all(
        f["properties"]["location_source"] == "none" for f in unlocated
    )
    assert {
        "id",
        "kind",
        "observed_at",
        "location_source",
        "category",
        "status",
        "text",
        "source",
        "media",
    } <= features[0]["properties"].keys()


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--kind", "photo"], lambda p: p["kind"] == "photo"),
        (["--status", "verified,actioned"], lambda p: p["status"] in ("verified", "actioned")),
        (["--search", "救助"], lambda p: "救助" in p["text"]),
        (["--category", "rescue"], lambda p: "rescue" in p["category"]),
        (["--located", "no"], lambda p: p["location_source"] == "none"),
        (
            ["--since", "2026-11-21T12:00", "--until", "2026-11-21T18:00"],
            lambda p: "2026-11-21T12:00" <= p["observed_at"][:16] <= "2026-11-21T18:00",
        ),
    ],
)
def test_filters_narrow_the_output(demo_path, args, check):
    everything = geojson(run_gspace("reports", demo_path))
    narrowed = geojson(run_gspace("reports", demo_path, *args))
    assert 0 < len(narrowed) < len(everything)
    assert all(check(f["properties"]) for f in narrowed)
    expected = [f["id"] for f in everything if check(f["properties"])]
    assert [f["id"] for f in narrowed] == expected


def test_bbox_keeps_exactly_the_reports_inside(demo_path):
    w, s, e, n = 130.70, 32.78, 130.74, 32.81
    inside = geojson(run_gspace("reports", demo_path, "--bbox", f"{w},{s},{e},{n}"))
    everything = geojson(run_gspace("reports", demo_path))
    expected = {
        f["id"]
        for f in everything
        if f["geometry"]
        and w <= f["geometry"]["coordinates"][0] <= e
        and s <= f["geometry"]["coordinates"][1] <= n
    }
    assert {f["id"] for f in inside} == expected and 0 < len(expected) < 282


def test_csv_has_a_bom_and_japanese_text_and_jsonl_one_object_per_line(demo_path):
    raw = subprocess.run(
        [*gspace_command(), "reports", str(demo_path), "--format", "csv"],
        capture_output=True,
        check=True,
    ).stdout
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 300 and any("避難所" in r["text"] for r in rows)
    lines = run_gspace("reports", demo_path, "--format", "jsonl", "--kind", "sns").stdout
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == 190 and all(r["kind"] == "sns" for r in records)


def test_features_and_feature_set(demo_path):
    shelters = geojson(run_gspace("features", demo_path, "--kind", "shelter"))
    assert len(shelters) == 28 and shelters[0]["geometry"]["type"] == "Point"
    target = shelters[0]["id"]
    result = run_gspace(
        "feature",
        "set",
        demo_path,
        target,
        "--status",
        "full",
        "--note",
        "残り0人分",
        "--field",
        "evacuees=320",
    )
    assert result.returncode == 0, result.stderr
    [changed] = [
        f
        for f in geojson(run_gspace("features", demo_path, "--kind", "shelter"))
        if f["id"] == target
    ]
    assert changed["properties"]["status"] == "full"
    assert changed["properties"]["note"] == "残り0人分"
    assert changed["properties"]["attributes"]["evacuees"] == 320  # typed by shelter.toml
    bad = run_gspace("feature", "set", demo_path, target, "--status", "available")
    assert bad.returncode == 1 and "not a status of shelter" in bad.stderr


def test_feature_set_takes_a_reference_or_its_unique_start(demo_path):
    from gspace.refs import ref

    shelters = geojson(run_gspace("features", demo_path, "--kind", "shelter"))
    refs = {ref(f["id"]): f for f in shelters}
    assert all(f["properties"]["ref"] == r for r, f in refs.items())
    # the shortest start of one reference that no other feature's shares, typed loosely
    everyone = [ref(f["id"]) for f in geojson(run_gspace("features", demo_path))]
    target = sorted(refs)[0]
    short = next(
        target[:n] for n in range(1, 15) if sum(r.startswith(target[:n]) for r in everyone) == 1
    )
    result = run_gspace("feature", "set", demo_path, short.lower(), "--status", "full")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"{target} (")
    [changed] = [f for f in geojson(run_gspace("features", demo_path)) if ref(f["id"]) == target]
    assert changed["properties"]["status"] == "full"
    # a start that several references share: refused with every candidate, nothing changed
    shared = next(r[:1] for r in everyone if sum(o.startswith(r[:1]) for o in everyone) > 1)
    candidates = [r for r in everyone if r.startswith(shared)]
    before = tree_digest(demo_path)
    line = one_line_failure(
        run_gspace("feature", "set", demo_path, shared, "--status", "closed"),
        f"is the start of {len(candidates)} features' references",
        *candidates[:8],
    )
    assert "give more characters" in line
    assert tree_digest(demo_path) == before
    one_line_failure(
        run_gspace("feature", "set", demo_path, "0000-0000-0000", "--note", "x"),
        "no feature with id or reference '0000-0000-0000'",
    )
    malformed = run_gspace("feature", "set", demo_path, "shelter #1", "--note", "x")
    assert malformed.returncode == 2 and "is not an id or a reference" in malformed.stderr


def test_init_creates_an_empty_incident(tmp_path):
    run_gspace("init", tmp_path / "new", "--name", "令和8年 地震", check=True)
    assert geojson(run_gspace("reports", tmp_path / "new")) == []
    again = run_gspace("init", tmp_path / "new")
    assert again.returncode == 1 and "already an incident" in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["reports"],
        ["reports", "X", "--format", "xml"],
        ["reports", "X", "--kind", "tweet"],
        ["nosuchcommand"],
        ["feature", "set", "X", "id", "--field", "novalue"],
    ],
)
def test_usage_errors_exit_2(tmp_path, args, demo_path):
    args = [str(demo_path) if a == "X" else a for a in args]
    result = run_gspace(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def one_line_failure(result, *words):
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gspace: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


def break_newer(store):
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()


def break_garbage(store):
    store.write_bytes(b"\x00garbage" * 4096)


def break_truncated(store):
    data = store.read_bytes()
    store.write_bytes(data[:8192])


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (break_newer, ["newer gspace", "schema 99"]),
        (break_garbage, ["damaged or not a gspace store"]),
        (break_truncated, ["store"]),
    ],
)
@pytest.mark.parametrize("command", [["reports"], ["open"], ["features", "--kind", "water"]])
def test_a_bad_store_gives_one_line_and_stays_byte_identical(demo_path, damage, words, command):
    store = demo_path / "store.sqlite"
    damage(store)
    before = tree_digest(demo_path)
    result = run_gspace(command[0], demo_path, *command[1:])
    one_line_failure(result, *words)
    assert tree_digest(demo_path) == before


@pytest.mark.parametrize("command", ["reports", "open", "features"])
def test_a_folder_that_is_not_an_incident(tmp_path, command):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "IMG_0001.JPG").write_bytes(b"\xff\xd8\xff")
    before = tree_digest(tmp_path)
    one_line_failure(
        run_gspace(command, tmp_path / "photos"), "not an incident folder", "no store.sqlite"
    )
    one_line_failure(run_gspace(command, tmp_path / "missing"), "not an incident folder")
    assert tree_digest(tmp_path) == before


def run_read_only(folder, *args):
    """Run gspace with `folder` truly read-only: a read-only bind mount in a private mount
    namespace when we are root (permissions do not bind root), else permission bits."""
    command = [*gspace_command(), *map(str, args)]
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("needs unshare(1) to make a read-only folder as root")
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, str(folder), *command]
    else:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return subprocess.run(command, capture_output=True, text=True)


def test_a_read_only_incident_cannot_be_opened_for_writing_but_can_be_read(demo_path):
    before = tree_digest(demo_path)
    one_line_failure(run_read_only(demo_path, "open", demo_path), "read-only")
    feature_id = geojson(run_gspace("features", demo_path))[0]["id"]
    one_line_failure(
        run_read_only(demo_path, "feature", "set", demo_path, feature_id, "--status", "closed"),
        "read-only",
    )
    listed = run_read_only(demo_path, "reports", demo_path, "--kind", "photo")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["features"]) == 90
    assert tree_digest(demo_path) == before


def test_reports_and_features_are_filtered_by_municipality(demo_path):
    everything = geojson(run_gspace("reports", demo_path))
    east = [f["id"] for f in everything if f["properties"]["muni_code"] == "43102"]
    assert 0 < len(east) < len(everything)
    for name in ("43102", "熊本市東区", "熊本県熊本市東区"):
        narrowed = geojson(run_gspace("reports", demo_path, "--municipality", name))
        assert [f["id"] for f in narrowed] == east, name
        assert {f["properties"]["municipality"] for f in narrowed} == {"熊本県熊本市東区"}
    # a city with wards: every report in any of its wards
    city = geojson(run_gspace("reports", demo_path, "--municipality", "熊本市"))
    assert {f["properties"]["municipality"] for f in city} == {
        f"熊本県熊本市{w}" for w in ("中央区", "東区", "西区", "南区", "北区")
    }
    assert len(city) == sum(
        f["properties"]["muni_code"][:4] == "4310" for f in everything if f["geometry"]
    )
    both = geojson(run_gspace("reports", demo_path, "--municipality", "熊本市東区,益城町"))
    assert {f["properties"]["municipality"] for f in both} == {"熊本県熊本市東区", "熊本県益城町"}
    assert geojson(run_gspace("reports", demo_path, "--municipality", "北海道伊達市")) == []
    shelters = geojson(
        run_gspace("features", demo_path, "--kind", "shelter", "--municipality", "上益城郡益城町")
    )
    assert shelters and {f["properties"]["municipality"] for f in shelters} == {"熊本県益城町"}


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        (
            "東区",
            ["熊本県熊本市東区 (43102)", "北海道札幌市東区 (01103)", "福岡県福岡市東区 (40131)"],
        ),
        ("伊達市", ["北海道伊達市 (01233)", "福島県伊達市 (07213)"]),
    ],
)
@pytest.mark.parametrize("command", ["reports", "features"])
def test_an_ambiguous_municipality_is_refused_with_its_candidates(
    demo_path, command, name, candidates
):
    result = run_gspace(command, demo_path, "--municipality", name)
    assert result.returncode == 2 and result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if "--municipality" in line]
    assert f"{name} is ambiguous" in line
    for candidate in candidates:
        assert candidate in line
    assert "Traceback" not in result.stderr
