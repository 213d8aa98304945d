"""Shared helpers: the shared fixtures folder, the real `gspace` entry point, demo incidents."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {FIXTURES} (clone with ../shared beside it)")
    return FIXTURES


def gspace_command() -> list[str]:
    """The installed console script when there is one, else `python -m gspace`."""
    script = Path(sys.executable).parent / "gspace"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gspace"]


def run_gspace(*args: str, check: bool = False, env: dict | None = None, **kwargs):
    result = subprocess.run([*gspace_command(), *map(str, args)], capture_output=True,
                            text=True, encoding="utf-8", env={**os.environ, **(env or {})},
                            **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"gspace {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` and its SHA-256: equal digests mean byte-identical trees."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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
