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


def test_the_desktop_app_imports_only_what_pip_install_dot_installs():
    """`bash scripts/setup.sh demo` installs `pip install .` (no extras): every module outside
    the hub must load with the main dependencies and what they bring (the window's sync and
    invites once needed httpx from the hub extra, and the demo did not open)."""
    import ast
    import re
    import tomllib
    from importlib import metadata

    from packaging.requirements import Requirement

    def name(requirement: str) -> str:
        return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    wanted = [
        name(r)
        for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ]
    installed: set[str] = set()
    while wanted:  # the main dependencies and theirs, without extras
        dist = wanted.pop()
        if dist in installed:
            continue
        installed.add(dist)
        for text in metadata.requires(dist) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(name(requirement.name))
    providers = {
        module: {d.lower().replace("_", "-") for d in dists}
        for module, dists in metadata.packages_distributions().items()
    }
    missing = []
    for path in sorted((ROOT / "gspace").rglob("*.py")):
        if "hub" in path.relative_to(ROOT / "gspace").parts[:1]:
            continue  # the hub is the `hub` extra's
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # imports at load time
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for top in {n.split(".")[0] for n in names}:
                dists = providers.get(top)
                if top == "gspace" or top in sys.stdlib_module_names or dists is None:
                    continue
                if not dists & installed:
                    missing.append(f"{path.relative_to(ROOT)}: {top}")
    assert not missing, missing
