"""Closing the window while photos are importing (issue 14, item 9): the user is asked; stopping
keeps every batch written (and no half photo), going on finishes the import."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import accept_message_box
from photo_files import make_jpeg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gspace.ingest.photos import import_photos
from gspace.store import query
from gspace.store.incident import Incident

PHOTOS = 150


@pytest.fixture
def card(tmp_path):
    folder = tmp_path / "DCIM"
    for i in range(PHOTOS):
        make_jpeg(folder / f"IMG_{i:04d}.jpg", size=(800, 600), seed=900 + i, lat=33, lon=131)
    return folder


@pytest.fixture
def incident_path(tmp_path):
    """An incident with one photo report already (the window fits the map to its reports)."""
    first = make_jpeg(tmp_path / "first.jpg", lat=33.001, lon=131.001, seed=899)
    with Incident.create(tmp_path / "inc", name="close test") as incident:
        import_photos(incident, [first], jobs=1)
    return tmp_path / "inc"


def committed(path) -> int:
    """Photo reports of the card committed so far (the incident's first photo aside)."""
    with sqlite3.connect(path / "store.sqlite") as conn:
        count = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    conn.close()
    return count - 1


def answer_when_asked(button_text: str, seen: list) -> None:
    """Press `button_text` in the close confirmation once it shows (it runs its own loop)."""

    def look() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox)
                and w.objectName() == "stopBeforeClosing"
                and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(20, look)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, look)


def test_closing_mid_import_asks_then_stops_keeping_whole_batches(
    open_main_window, qtbot, card, incident_path
):
    window = open_main_window(incident_path)
    window.files.import_photos([str(card)])
    job = window.files.imports[0]
    qtbot.waitUntil(lambda: committed(incident_path) > 0, timeout=60_000)
    seen: list[str] = []
    answer_when_asked("Stop and close", seen)
    window.close()
    assert seen and "still running" in seen[0]
    assert not window.isVisible() and not job.running()
    kept = committed(incident_path)
    assert 0 < kept < PHOTOS
    with Incident.open(incident_path) as incident:
        media = {row[0] for row in incident.conn.execute("SELECT path FROM media")}
        assert len(media) == kept + 1
        summary = import_photos(incident, [card], jobs=1)  # the same import again finishes
        assert summary.count("imported") == PHOTOS - kept
        assert summary.count("already imported") == kept
        sources = [r["source"] for r in query.reports(incident)]
    assert len(sources) == len(set(sources)) == PHOTOS + 1


def test_keep_working_leaves_the_window_open_and_the_import_finishes(
    open_main_window, qtbot, card, incident_path
):
    window = open_main_window(incident_path)
    window.files.import_photos([str(card)])
    qtbot.waitUntil(lambda: committed(incident_path) > 0, timeout=60_000)
    seen: list[str] = []
    answer_when_asked("Keep working", seen)
    window.close()
    assert seen and window.isVisible()
    text = accept_message_box(qtbot)
    assert f"{PHOTOS} photo(s) imported" in text
    assert committed(incident_path) == PHOTOS


def test_the_report_counts_videos_other_files_and_a_cancel(open_main_window, qtbot, tmp_path):
    from gspace.gui.photo_import import describe

    folder = tmp_path / "phone"
    make_jpeg(folder / "IMG_0001.jpg", lat=33, lon=131, seed=1)
    make_jpeg(folder / "IMG_0002.jpg", lat=33, lon=131, seed=2)
    (folder / "IMG_0003.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ")
    (folder / "readme.txt").write_text("hello")
    first = make_jpeg(tmp_path / "first.jpg", lat=33.001, lon=131.001, seed=899)
    with Incident.create(tmp_path / "inc") as incident:
        import_photos(incident, [first], jobs=1)
    window = open_main_window(tmp_path / "inc")
    window.files.import_photos([str(folder), str(tmp_path / "missing")])
    text = accept_message_box(qtbot)
    assert text.splitlines() == [
        "2 photo(s) imported",
        "0 need(s) a location",
        "0 already imported",
        "0 skipped",
        "1 video(s) not imported",
        "1 other file(s) not imported",
        "1 not found",
    ]
    with Incident.open(tmp_path / "inc") as incident:
        make_jpeg(folder / "IMG_0004.jpg", lat=33, lon=131, seed=4)
        summary = import_photos(incident, [folder], jobs=1, cancelled=lambda: True)
    text, details = describe(summary)
    assert text.splitlines()[-1] == (
        "Cancelled: 1 of 3 photos kept; import the same files again to finish."
    )
    assert f"{folder / 'IMG_0003.MOV'}: not imported — video" in details.splitlines()


def test_a_cancelled_sns_import_says_how_many_posts_were_kept(tmp_path):
    from gspace.gui import i18n
    from gspace.gui.sns_import import describe
    from gspace.ingest.sns import import_sns

    posts = tmp_path / "posts.jsonl"
    lines = [
        f'{{"id": "{i}", "text": "益城町で断水 {i}", "created_at": "2026-11-20T10:00:00Z"}}'
        for i in range(12_000)
    ]
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Incident.create(tmp_path / "inc") as incident:
        summary = import_sns(incident, [posts], jobs=1, cancelled=lambda: True)
        assert query.count_reports(incident) == 5000  # the first batch
    assert describe(summary)[0].splitlines()[-1] == (
        "Cancelled: 5,000 posts kept; import the same files again to finish."
    )
    i18n.install("ja")
    assert describe(summary)[0].splitlines()[-1] == (
        "キャンセルしました: 5,000 件の投稿を保存済みです。"
        "同じファイルをもう一度取り込むと続きを取り込みます。"
    )
