"""Fixtures shared by every suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES


@pytest.fixture(scope="session", autouse=True)
def private_user_data(tmp_path_factory):
    """The user's data folder (gazetteer towns, the demo) is a temporary one in every test and
    in every command a test runs, so that nothing of the developer's own leaks in."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("user-data"))
    # no tiles from the internet: a test that wants a base map serves one on 127.0.0.1
    os.environ["GSPACE_BASEMAP"] = "none"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The shared fixtures folder; skipped without it, except in CI (GSPACE_REQUIRE_FIXTURES)."""
    if not FIXTURES.is_dir():
        if os.environ.get("GSPACE_REQUIRE_FIXTURES"):
            pytest.fail(f"shared fixtures not found at {FIXTURES}")
        pytest.skip(f"shared fixtures not found at {FIXTURES} (clone with ../shared beside it)")
    return FIXTURES


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from gspace.demo import make_demo

    path = tmp_path_factory.mktemp("template") / "demo"
    make_demo(path).close()
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    """A fresh copy of the demo incident for one test."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    return target


@pytest.fixture
def layers_dir(fixtures) -> Path:
    """The layer files cities publish (shelters, wells, Wi-Fi...) in the shared fixtures."""
    return fixtures / "layers"


@pytest.fixture
def incident(tmp_path):
    """A new, empty incident (a module that needs another one defines its own)."""
    from gspace.store.incident import Incident

    with Incident.create(tmp_path / "inc") as inc:
        yield inc


@pytest.fixture(scope="session")
def pg_cluster():
    """One throw-away PostgreSQL cluster for the session (tests/pg_cluster.py); skipped only
    when the server binaries are missing (CI installs Debian's postgresql)."""
    from pg_cluster import Cluster, binaries

    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are missing (apt-get install postgresql)")
    cluster = Cluster(bin_dir).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The URL of a new, empty PostgreSQL database for one test."""
    return pg_cluster.new_database()


@pytest.fixture(scope="module")
def field_laptop(tmp_path_factory):
    """A field laptop's incident FIELD_INCIDENT exported to a bundle: (its folder, the hashes
    of its three photos) — bundle_files.field_bundle."""
    from bundle_files import FIELD_INCIDENT, field_bundle

    root = tmp_path_factory.mktemp("field")
    return root, field_bundle(root, FIELD_INCIDENT)
