"""`gspace open` on a machine with no display (a server, an SSH session): one line that says
what to do, in the user's language, instead of Qt aborting the process (issue 14, item 11)."""

from __future__ import annotations

import os

import pytest
from helpers import gspace_command, run_gspace

from gspace.gui.app import display_problem

NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def run_without_display(*args, **env):
    import subprocess

    clean = {k: v for k, v in os.environ.items() if k not in NO_DISPLAY}
    return subprocess.run(
        [*gspace_command(), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**clean, "LC_ALL": "", "LC_MESSAGES": "", **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"LANG": "C.UTF-8"},
            "gspace: no display to show the window (DISPLAY and WAYLAND_DISPLAY are not set); "
            "run gspace in a desktop session, or under a virtual display: "
            "xvfb-run gspace open INCIDENT",
        ),
        (
            {"LANG": "ja_JP.UTF-8"},
            "gspace: ウィンドウを表示する画面がありません(DISPLAY も WAYLAND_DISPLAY も未設定)。"
            "デスクトップのセッションで実行するか、仮想画面で実行してください: "
            "xvfb-run gspace open 事案フォルダー",
        ),
        (
            {"LANG": "C.UTF-8", "QT_QPA_PLATFORM": "xcb"},
            "gspace: no display to show the window (DISPLAY and WAYLAND_DISPLAY are not set); "
            "run gspace in a desktop session, or under a virtual display: "
            "xvfb-run gspace open INCIDENT",
        ),
    ],
)
def test_open_without_a_display_is_one_line_not_a_qt_abort(tmp_path, env, expected):
    run_gspace("init", tmp_path / "inc", check=True)
    result = run_without_display("open", tmp_path / "inc", **env)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [expected]


def test_the_demo_without_a_display_says_the_same_after_creating_the_incident(tmp_path):
    result = run_without_display("demo", tmp_path / "demo", LANG="C.UTF-8")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("gspace: no display to show the window")
    assert (tmp_path / "demo" / "store.sqlite").exists()


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, True),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, True),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, True),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, False),
    ],
)
def test_which_platforms_need_a_display(env, problem):
    assert (display_problem(env) is not None) == problem
