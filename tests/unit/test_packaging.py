"""`pip install .` ships the forms, layer catalog and map page inside the package."""

import subprocess
import sys
import zipfile

import pytest
from helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0 and "hatchling" in built.stderr:
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
            capture_output=True,
            text=True,
        )
    assert built.returncode == 0, built.stderr
    [path] = out.glob("gspace-*.whl")
    return path


def test_wheel_carries_the_data_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "gspace/_data/ui/incident_chooser.ui",
        "gspace/_data/layers/shelter.toml",
        "gspace/_data/resources/map/map.js",
        "gspace/_data/resources/i18n/gspace_ja.qm",
        "gspace/_data/resources/basemap/japan_prefectures.geojson",
        "gspace/_data/resources/gazetteer/municipalities.tsv",
        "gspace/_data/resources/keywords/categories.toml",
        "gspace/_data/ui/sns_import.ui",
    ):
        assert expected in names


def test_installed_package_finds_its_data_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import gspace.paths as p, gspace.catalog as c; "
        "print(p.data_dir('resources')); print(sorted(c.load_catalog()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(str(target))
    assert "shelter" in lines[1]
    helped = subprocess.run(
        [sys.executable, "-m", "gspace", "--help"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target)},
    )
    assert helped.returncode == 0 and "gspace demo" not in helped.stderr
    assert "demo" in helped.stdout
