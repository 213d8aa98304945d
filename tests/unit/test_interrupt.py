"""Ctrl-C during an import, as a terminal sends it: SIGINT to the whole process group (the
command and its worker processes). No process prints a traceback, the command says how much was
kept, and running it again finishes the job with nothing lost or doubled (issue 14)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import orjson
import pytest
from helpers import gspace_command, run_gspace
from photo_files import make_jpeg

from gspace.store import query
from gspace.store.incident import Incident

POSTS = 60_000


def write_posts(path, count: int) -> None:
    """X API v1.1 statuses, each with its own text (no copies), a third with coordinates."""
    with path.open("wb") as f:
        for i in range(count):
            status = {
                "created_at": f"Mon Nov {16 + i % 8} {i % 24:02d}:{i % 60:02d}:00 +0000 2026",
                "id_str": str(1_900_000_000_000_000_000 + i),
                "user": {"screen_name": f"user{i % 5000}"},
                "text": f"益城町で断水が続いています ({i})",
            }
            if i % 3 == 0:
                status["coordinates"] = {"type": "Point", "coordinates": [130.8, 32.78]}
            f.write(orjson.dumps(status) + b"\n")


def sns_posts_and_incident(tmp_path):
    """POSTS posts in a JSON Lines file, and a new incident to import them into."""
    posts = tmp_path / "posts.jsonl"
    write_posts(posts, POSTS)
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    return posts, incident


def assert_every_post_once(incident) -> None:
    with Incident.open(incident, write=False) as inc:
        sources = [r["source"] for r in query.reports(inc)]
    assert len(sources) == len(set(sources)) == POSTS


def group_alive(group: int, wait: float = 10) -> bool:
    """Whether a process of `group` still runs after `wait` seconds (multiprocessing's helper
    process ends when it sees its parent gone, a moment after)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def wait_until_importing(group: int, path, wal, timeout: float = 120) -> None:
    """Wait until a process of `group` has `path` open or has begun writing to the store
    (its write-ahead log past 1 MB): the import is under way, whatever the machine's load (a
    fixed sleep fired before the command had loaded on a busy machine, and reading a file can
    be over between two looks)."""
    target = str(path.resolve())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1 << 20:
            return
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if os.getpgid(int(proc.name)) != group:
                    continue
                if any(os.readlink(fd) == target for fd in (proc / "fd").iterdir()):
                    return
            except (ProcessLookupError, FileNotFoundError, PermissionError):
                continue
        time.sleep(0.01)
    raise AssertionError(f"no process opened {target} or wrote to the store")


def interrupt_when_committed(args: list, store, table: str = "reports", env=None, presses=1):
    """Run gspace in its own process group; once the first rows are committed, press Ctrl-C
    (SIGINT to the group) `presses` times. Returns (exit status, stderr, rows committed before
    the signal)."""
    process = subprocess.Popen(
        [*gspace_command(), *map(str, args)],
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,  # its own process group, as a terminal's foreground job
        env={**os.environ, **(env or {})},
    )
    deadline, committed = time.monotonic() + 120, 0
    while time.monotonic() < deadline and process.poll() is None and committed == 0:
        time.sleep(0.02)
        try:
            with sqlite3.connect(store) as conn:
                committed = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            conn.close()
        except sqlite3.OperationalError:
            continue  # the store is being set up
    assert process.poll() is None, "the import ended before it could be interrupted"
    for press in range(presses):
        if press:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert not group_alive(process.pid), "a worker was left behind"
    return process.returncode, stderr, committed


def test_ctrl_c_during_an_sns_import_says_what_was_kept_and_a_rerun_finishes(tmp_path):
    posts, incident = sns_posts_and_incident(tmp_path)
    code, stderr, committed = interrupt_when_committed(
        ["import", "sns", incident, posts, "--jobs", "2"], incident / "store.sqlite"
    )
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert code == 130, stderr
    last = stderr.strip().splitlines()[-1]
    found = re.fullmatch(
        rf"gspace: interrupted: ([\d,]+) of {POSTS:,} posts kept; "
        r"run the same command again to finish",
        last,
    )
    assert found, stderr
    kept = int(found.group(1).replace(",", ""))
    with Incident.open(incident, write=False) as inc:
        assert query.count_reports(inc) == kept
    assert committed <= kept < POSTS

    again = run_gspace("import", "sns", incident, posts, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert (
        again.stderr.strip().splitlines()[-1].startswith(f"{POSTS - kept} imported (")
        and f"{kept} already imported" in again.stderr
    )
    assert_every_post_once(incident)


def test_ctrl_c_twice_stops_at_once_and_a_rerun_finishes(tmp_path):
    posts, incident = sns_posts_and_incident(tmp_path)
    code, stderr, _ = interrupt_when_committed(
        ["import", "sns", incident, posts], incident / "store.sqlite", presses=2
    )
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert code == 130, stderr
    # the second press lands in the batch being written (rolled back) or just after it
    assert stderr.strip().splitlines()[-1].startswith("gspace: interrupted: "), stderr
    again = run_gspace("import", "sns", incident, posts)
    assert again.returncode == 0, again.stderr
    assert_every_post_once(incident)


def test_ctrl_c_in_japanese(tmp_path):
    posts, incident = sns_posts_and_incident(tmp_path)
    code, stderr, _ = interrupt_when_committed(
        ["import", "sns", incident, posts], incident / "store.sqlite", env={"LANG": "ja_JP.UTF-8"}
    )
    assert code == 130 and "Traceback" not in stderr, stderr
    assert re.fullmatch(
        rf"gspace: 中断しました: {POSTS:,} 件中 [\d,]+ 件の投稿を保存済みです。"
        r"同じコマンドをもう一度実行すると続きを取り込みます",
        stderr.strip().splitlines()[-1],
    ), stderr


def test_ctrl_c_during_a_photo_import_keeps_whole_batches_and_a_rerun_finishes(tmp_path):
    folder, count = tmp_path / "DCIM", 150
    for i in range(count):
        make_jpeg(folder / f"IMG_{i:04d}.jpg", size=(800, 600), seed=500 + i, lat=33, lon=131)
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    code, stderr, _ = interrupt_when_committed(
        ["import", "photos", incident, folder, "--jobs", "2"], incident / "store.sqlite"
    )
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert code == 130, stderr
    found = re.fullmatch(
        r"gspace: interrupted: (\d+) of 150 photos kept; run the same command again to finish",
        stderr.strip().splitlines()[-1],
    )
    assert found, stderr
    kept = int(found.group(1))
    with Incident.open(incident, write=False) as inc:
        assert query.count_reports(inc) == kept < count
    again = run_gspace("import", "photos", incident, folder)
    assert again.returncode == 0, again.stderr
    with Incident.open(incident, write=False) as inc:
        sources = [r["source"] for r in query.reports(inc)]
        media = {row[0] for row in inc.conn.execute("SELECT path FROM media")}
    assert len(sources) == len(set(sources)) == count
    on_disk = {
        p.relative_to(incident).as_posix() for p in (incident / "media").rglob("*") if p.is_file()
    }
    assert on_disk == media


def test_ctrl_c_during_a_layer_import_changes_nothing_and_says_so(tmp_path):
    rows = ["ID,名称,所在地_連結表記,緯度,経度"] + [
        f"E{i:07d},第{i}避難所,熊本県熊本市中央区{i % 99}丁目,{32.7 + i * 1e-6:.6f},130.7"
        for i in range(200_000)
    ]
    csv = tmp_path / "避難所.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    incident = tmp_path / "inc"
    run_gspace("init", incident, check=True)
    process = subprocess.Popen(
        [*gspace_command(), "import", "layer", str(incident), str(csv), "--kind", "shelter"],
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    # reading or writing 200,000 rows: far from done
    wait_until_importing(process.pid, csv, incident / "store.sqlite-wal")
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == [
        "gspace: interrupted: nothing was imported (a layer is imported whole or not at all); "
        "run the same command again to import it"
    ]
    with Incident.open(incident, write=False) as inc:
        assert inc.conn.execute("SELECT count(*) FROM features").fetchone()[0] == 0
        assert inc.conn.execute("SELECT count(*) FROM import_log").fetchone()[0] == 0


@pytest.mark.parametrize("after", [0.15, 0.5])
def test_ctrl_c_while_the_command_is_starting_is_quiet(tmp_path, after):
    posts, incident = sns_posts_and_incident(tmp_path)
    process = subprocess.Popen(
        [*gspace_command(), "import", "sns", str(incident), str(posts)],
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    time.sleep(after)  # loading the command, opening the incident, or the first batch
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    # 130: gspace stopped; -SIGINT: the signal came before Python itself had started
    assert process.returncode in (130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert not group_alive(process.pid)
