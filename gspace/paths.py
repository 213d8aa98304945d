"""Where the shipped data folders are.

In a wheel, `ui/`, `layers/` and `resources/` are installed as `gspace/_data/...`; in a source
checkout (editable install, tests) they sit beside the package. importlib.resources finds the
installed copy; the checkout is the fallback.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """The folder `name` ("ui", "layers" or "resources") as a real path."""
    installed = Path(str(files("gspace").joinpath("_data", name)))
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"gspace data folder {name!r} is missing from this installation")


def resource(*parts: str) -> Path:
    return data_dir("resources").joinpath(*parts)


def user_data_dir() -> Path:
    """Where gspace keeps per-user data (the demo incident, later the tile cache)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "gspace"
