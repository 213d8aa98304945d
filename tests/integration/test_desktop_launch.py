"""The desktop app started the way the README starts it, in a real X server (Xvfb)."""

import io
import os
import shutil
import subprocess

import pytest
from helpers import gspace_command
from PIL import Image

from gspace.mapdata import CATEGORY_COLORS

MARKER_COLORS = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in CATEGORY_COLORS.values()}


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run (Debian package xvfb)")
def test_gspace_demo_opens_a_window_with_markers_under_xvfb(tmp_path):
    shot = tmp_path / "window.png"
    env = {**os.environ, "GSPACE_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("QT_QPA_PLATFORM", None)  # a real X display, not the offscreen platform
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            *gspace_command(),
            "demo",
            str(tmp_path / "demo"),
            "--screenshot",
            str(shot),
            "--lang",
            "ja",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert image.size == (1400, 900)
    colors = image.getcolors(1 << 22)
    assert sum(n for n, rgb in colors if rgb in MARKER_COLORS) > 3000
