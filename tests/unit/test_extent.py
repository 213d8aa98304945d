"""The area a map opens on: where the reports are, whatever a few stray points say."""

from __future__ import annotations

import math
import random

import pytest
from export_incident import add_far_reports

from gspace.errors import GspaceError
from gspace.export import ExportJob
from gspace.export.printmap import map_figure
from gspace.export.printplaces import to_lon_lat
from gspace.extent import core_extent, map_extent, parse_extent
from gspace.store.incident import Incident


def city(n: int, seed: int = 1) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    return (
        [130.71 + rng.gauss(0, 0.03) for _ in range(n)],
        [32.80 + rng.gauss(0, 0.03) for _ in range(n)],
    )


def test_a_geotag_at_lat_88_and_a_world_trip_are_left_out_and_counted():
    lons, lats = city(300)
    world = [(-74.0, 40.7), (2.35, 48.86), (151.2, -33.87), (139.7, 35.68), (77.2, 28.6)]
    area = core_extent(
        [*lons, 130.7, *(x for x, _ in world)], [*lats, 88.0, *(y for _, y in world)]
    )
    assert area.outliers == 6
    assert area.width_km() < 40 and area.height_km() < 40
    assert area.west <= min(lons) and area.east >= max(lons)  # every city report is framed
    assert area.south <= min(lats) and area.north >= max(lats)


def test_a_small_incident_with_one_stray_point_still_opens_on_the_city():
    area = core_extent([130.70, 130.72, 130.71, 130.7], [32.80, 32.81, 32.79, 88.0])
    assert area.outliers == 1 and area.north < 33


def test_reports_just_past_the_core_stay_in_the_area():
    lons, lats = city(200)
    area = core_extent([*lons, 130.92], [*lats, 32.8])  # a neighbouring town, 20 km east
    assert area.outliers == 0 and area.east == 130.92


def test_modes_reports_all_and_a_box():
    lons, lats = city(50)
    far = ([141.35], [43.06])
    assert map_extent("reports", (lons, lats), far).width_km() < 40
    assert map_extent("all", (lons, lats), far).north == 43.06
    box = map_extent((130.0, 32.0, 131.0, 33.0), ([*lons, 2.0], [*lats, 48.0]))
    assert box.bbox == (130.0, 32.0, 131.0, 33.0) and box.outliers == 1
    assert map_extent("reports", ([], []), far).north == 43.06  # no reports: the features
    assert parse_extent("130.6,32.7,130.8,32.9") == (130.6, 32.7, 130.8, 32.9)
    assert parse_extent(" ALL ") == "all"
    for bad in ("world", "1,2,3", "131,32,130,33"):
        with pytest.raises(GspaceError, match="--extent"):
            parse_extent(bad)


def test_printed_map_frames_the_kumamoto_reports_not_the_strays(demo_path):
    added = add_far_reports(demo_path)
    with Incident.open(demo_path, write=False) as inc:
        job = ExportJob(inc, demo_path / "map.pdf")
        ax = map_figure(job).axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        (west, south), (east, north) = to_lon_lat(x0, y0), to_lon_lat(x1, y1)
        assert job.outliers == added
        # city scale: under 100 km across, around Kumamoto city (130.71, 32.80)
        width = (east - west) * 111.32 * math.cos(math.radians(32.8))
        assert width < 100 and (north - south) * 110.57 < 100
        assert west < 130.71 < east and south < 32.80 < north
        all_job = ExportJob(inc, demo_path / "all.pdf", extent="all")
        ax = map_figure(all_job).axes[0]
        assert to_lon_lat(ax.get_xlim()[1], ax.get_ylim()[1])[1] > 80  # asked for: everything


def test_cli_counts_the_strays_and_refuses_a_bad_extent(demo_path, tmp_path):
    from helpers import run_gspace

    added = add_far_reports(demo_path)
    done = run_gspace("export", demo_path, tmp_path / "map.html", check=True)
    assert f"{added} reports lie far outside the map's area" in done.stderr
    done = run_gspace("export", demo_path, tmp_path / "all.html", "--extent", "all", check=True)
    assert "outside" not in done.stderr
    bad = run_gspace("export", demo_path, tmp_path / "x.html", "--extent", "131,32,130")
    assert bad.returncode != 0 and "--extent" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.html").exists()


def test_a_quarter_of_the_reports_spread_over_the_world_still_leaves_the_city():
    lons, lats = city(300)
    rng = random.Random(7)
    world = [(rng.uniform(-180, 180), rng.uniform(-60, 75)) for _ in range(100)]
    area = core_extent([*lons, *(x for x, _ in world)], [*lats, *(y for _, y in world)])
    assert area.width_km() < 60 and area.height_km() < 60
    assert area.outliers >= 95  # the world's, but hardly any of the city's
    inside = sum(
        area.west <= x <= area.east and area.south <= y <= area.north
        for x, y in zip(lons, lats, strict=True)
    )
    assert inside >= 297


def test_an_incident_spread_over_a_region_is_framed_whole():
    rng = random.Random(3)
    lons = [rng.uniform(129.5, 132.0) for _ in range(400)]  # Kyushu, evenly
    lats = [rng.uniform(31.0, 34.0) for _ in range(400)]
    area = core_extent(lons, lats)
    assert area.outliers == 0 and area.west == min(lons) and area.north == max(lats)
