"""Bundles between real incidents with real photos: a laptop joins, laptops exchange (and relay)
changes, the same bundle twice changes nothing, `--since`, and the command line."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from bundle_files import KIND, add_photos, add_posts, entries_of, manifest_of, members, state
from helpers import JA, run_gspace

from gspace.errors import GspaceError, Interrupted
from gspace.store.incident import Incident
from gspace.sync.bundle import export_bundle, import_bundle, incident_uid


@pytest.fixture
def laptop_a(tmp_path):
    path = tmp_path / "a"
    with Incident.create(path, name="熊本地震 2026", timezone="Asia/Tokyo") as inc:
        assert add_photos(inc, tmp_path / "photos-a", range(1, 4)) == 3
        add_posts(inc, ["断水が続いています", "道路が通れません"])
    (path / "layers").mkdir()
    (path / "layers" / "charging.toml").write_text(KIND, encoding="utf-8")
    return path


def test_a_new_laptop_joins_an_incident_with_one_bundle(laptop_a, tmp_path):
    with Incident.open(laptop_a) as a:
        exported = export_bundle(a, tmp_path / "a.gsb")
        uid = incident_uid(a)
    assert exported.entries >= 5 and exported.media == 3 and exported.kinds == 1
    b_path = tmp_path / "b"
    Incident.create(b_path, name="b", timezone="UTC").close()
    with Incident.open(b_path) as b:
        summary = import_bundle(b, tmp_path / "a.gsb")
    assert summary.joined and summary.counts["applied"] == exported.entries
    assert summary.media_added == 3 and summary.kinds_added == ["charging"]
    with Incident.open(b_path) as b:
        assert (b.name, str(b.timezone), incident_uid(b)) == ("熊本地震 2026", "Asia/Tokyo", uid)
    dump_a, media_a, _ = state(laptop_a)
    dump_b, media_b, layers_b = state(b_path)
    assert dump_b == dump_a and media_b == media_a and layers_b == ["charging.toml"]
    for name in media_a:  # the same bytes under the same content address
        if (laptop_a / name).is_file():
            assert (b_path / name).read_bytes() == (laptop_a / name).read_bytes()
    with Incident.open(laptop_a, write=False) as a, Incident.open(b_path, write=False) as b:
        query = "SELECT sha256, path, thumbnail FROM media ORDER BY sha256"
        assert b.conn.execute(query).fetchall() == a.conn.execute(query).fetchall()
    assert not (b_path / ".bundle-incoming").exists()


def test_three_laptops_exchange_and_relay_bundles(laptop_a, tmp_path):
    laptops = {"a": laptop_a}
    with Incident.open(laptop_a) as a:
        export_bundle(a, tmp_path / "start.gsb")
    for name in ("b", "c"):
        laptops[name] = tmp_path / name
        with Incident.create(laptops[name]) as inc:
            import_bundle(inc, tmp_path / "start.gsb")
    with Incident.open(laptops["b"]) as b:  # b works offline: photos and a post
        add_photos(b, tmp_path / "photos-b", range(10, 12))
        add_posts(b, ["避難所が満員です"])
    with Incident.open(laptops["c"]) as c:
        add_posts(c, ["給水車が来ました"])
    # a hears from c only through b: c -> b, then b -> a (relay), then a -> c
    for source, target in (("c", "b"), ("b", "a"), ("a", "c")):
        bundle = tmp_path / f"{source}-to-{target}.gsb"
        with Incident.open(laptops[source]) as inc:
            export_bundle(inc, bundle)
        with Incident.open(laptops[target]) as inc:
            import_bundle(inc, bundle)
    dumps = {name: state(path) for name, path in laptops.items()}
    assert dumps["a"] == dumps["b"] == dumps["c"]
    with Incident.open(laptops["c"], write=False) as c:
        texts = {r[0] for r in c.conn.execute("SELECT text FROM reports")}
    assert {"避難所が満員です", "給水車が来ました", "断水が続いています"} <= texts
    assert len(dumps["a"][1]) == 5  # every photo file, on every laptop


def test_the_same_bundle_twice_changes_nothing(laptop_a, tmp_path):
    with Incident.open(laptop_a) as a:
        export_bundle(a, tmp_path / "a.gsb")
    b_path = tmp_path / "b"
    with Incident.create(b_path) as b:
        first = import_bundle(b, tmp_path / "a.gsb")
    before = state(b_path)
    with Incident.open(b_path) as b:
        again = import_bundle(b, tmp_path / "a.gsb")
    assert state(b_path) == before
    assert again.counts.get("applied", 0) == 0 and again.media_added == 0
    assert again.counts["duplicate"] == first.entries and again.media_known == 3
    # and a laptop's own bundle back into itself
    before_a = state(laptop_a)
    with Incident.open(laptop_a) as a:
        own = import_bundle(a, tmp_path / "a.gsb")
    assert state(laptop_a) == before_a and own.counts.get("applied", 0) == 0


def test_since_last_holds_only_what_changed_after_the_last_bundle(laptop_a, tmp_path):
    with Incident.open(laptop_a) as a:
        everything = export_bundle(a, tmp_path / "1.gsb", since="LAST")
        add_posts(a, ["停電しています"])
        later = export_bundle(a, tmp_path / "2.gsb", since="LAST")
        nothing = export_bundle(a, tmp_path / "3.gsb", since="LAST")
    assert later.entries == 1 and later.media == 0
    assert [e["data"].get("text") for e in entries_of(tmp_path / "2.gsb")] == ["停電しています"]
    assert nothing.entries == 0 and "no changes since the last bundle" in nothing.lines()[-1]
    assert everything.seq[1] + 1 == later.seq[0]
    # the three in any order make the same incident as one bundle of everything
    b, c = tmp_path / "b", tmp_path / "c"
    for path, order in ((b, ("3", "2", "1")), (c, ("1", "2", "3"))):
        with Incident.create(path) as inc:
            for n in order:
                import_bundle(inc, tmp_path / f"{n}.gsb")
    assert state(b)[:2] == state(c)[:2] == state(laptop_a)[:2]


def test_since_a_date(laptop_a, tmp_path):
    with Incident.open(laptop_a) as a:
        future = export_bundle(a, tmp_path / "f.gsb", since="2099-01-01")
        past = export_bundle(a, tmp_path / "p.gsb", since="2000-01-01")
        whole = export_bundle(a, tmp_path / "w.gsb")
    assert future.entries == 0 and future.media == 0
    assert past.entries == whole.entries


def test_a_photo_missing_or_damaged_on_the_exporting_laptop_is_named_and_left_out(
    laptop_a, tmp_path
):
    files = sorted(p for p in (laptop_a / "media").rglob("*") if p.is_file())
    files[0].unlink()
    files[1].write_bytes(b"not the photo any more")
    with Incident.open(laptop_a) as a:
        summary = export_bundle(a, tmp_path / "a.gsb")
    assert summary.media == 1 and len(summary.missing) == 1
    assert summary.damaged == [str(files[1])]
    assert sum(n.startswith("media/") for n in members(tmp_path / "a.gsb")) == 1
    assert len(manifest_of(tmp_path / "a.gsb")["media"]) == 1
    with Incident.create(tmp_path / "b") as b:  # the reports still arrive
        imported = import_bundle(b, tmp_path / "a.gsb")
        assert imported.media_added == 1
        assert b.conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


def test_the_commands(laptop_a, tmp_path):
    bundle = tmp_path / "usb" / "a.gsb"
    bundle.parent.mkdir()
    made = run_gspace("bundle", "export", laptop_a, bundle, "--since", "LAST")
    assert made.returncode == 0, made.stderr
    assert made.stderr.startswith(f"wrote {bundle}: ") and " 3 photos, 1 layer kinds" in made.stderr
    run_gspace("init", tmp_path / "b", check=True)
    joined = run_gspace("bundle", "import", tmp_path / "b", bundle)
    assert joined.returncode == 0, joined.stderr
    *notes, last = joined.stderr.splitlines()
    assert notes[0].startswith("this incident joined 熊本地震 2026")
    assert last.endswith("3 photos added (0 already here)") and " 0 held" in last
    again = run_gspace("bundle", "import", tmp_path / "b", bundle, env=JA)
    assert again.returncode == 0
    assert again.stderr.strip().endswith("写真 0 枚を追加(取り込み済み 3 枚)")
    assert "反映 0、" in again.stderr
    usage = run_gspace("bundle", "export", laptop_a, tmp_path / "x.gsb", "--since", "yesterday")
    assert usage.returncode == 2 and "'yesterday' is neither LAST nor a date" in usage.stderr
    assert not (tmp_path / "x.gsb").exists()
    shutil.rmtree(tmp_path / "usb")
    missing = run_gspace("bundle", "import", tmp_path / "b", bundle)
    assert missing.returncode == 1 and len(missing.stderr.splitlines()) == 1
    assert "no such file or folder" in missing.stderr


def test_progress_and_cancel(laptop_a, tmp_path):
    """What the window's progress dialog gets, and Cancel before the merge changes nothing."""
    stages = []
    with Incident.open(laptop_a) as a:
        export_bundle(a, tmp_path / "a.gsb", progress=lambda *step: stages.append(step))
    assert ("media", 3, 3) in stages
    b_path = tmp_path / "b"
    Incident.create(b_path).close()
    before = state(b_path)
    with Incident.open(b_path) as b, pytest.raises(Interrupted, match="nothing was imported"):
        import_bundle(b, tmp_path / "a.gsb", cancel=lambda: True)
    assert state(b_path) == before and not (b_path / ".bundle-incoming").exists()
    seen = []
    with Incident.open(b_path) as b:
        import_bundle(b, tmp_path / "a.gsb", progress=lambda *step: seen.append(step))
    assert seen[-1][0] == "apply" and seen[-1][1] == seen[-1][2] > 0
    assert any(stage == "verify" for stage, *_ in seen)


def test_copies_of_one_incident_folder_are_one_incident(laptop_a, tmp_path):
    """A folder copied before any bundle was made (no uid yet) is recognised as the same
    incident: its uid comes from the incident's first change; one made apart is another."""
    shutil.copytree(laptop_a, tmp_path / "copy")
    with Incident.open(laptop_a) as a:
        assert a.conn.execute("SELECT 1 FROM meta WHERE key = 'incident_uid'").fetchone() is None
        export_bundle(a, tmp_path / "a.gsb")
    with Incident.open(tmp_path / "copy") as copy:
        add_posts(copy, ["コピーで書いた投稿"])
        assert import_bundle(copy, tmp_path / "a.gsb").counts["duplicate"] > 0
    with Incident.create(tmp_path / "apart") as apart:
        add_posts(apart, ["別の事案"])
        with pytest.raises(GspaceError, match="from another incident"):
            import_bundle(apart, tmp_path / "a.gsb")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("C.UTF-8", "the bundle export was cancelled; no bundle was written"),
        ("ja_JP.UTF-8", "バンドルの書き出しを中止しました。バンドルは作成していません"),
    ],
)
def test_a_cancelled_export_says_so_and_leaves_no_file(laptop_a, tmp_path, monkeypatch, lang, said):
    monkeypatch.setenv("LANG", lang)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    usb = tmp_path / "usb"
    usb.mkdir()
    with Incident.open(laptop_a) as a, pytest.raises(Interrupted) as stopped:
        export_bundle(a, usb / "a.gsb", cancel=lambda: True)
    assert str(stopped.value) == said and "import" not in str(stopped.value)
    assert list(usb.iterdir()) == []  # neither the bundle nor its partial file


@pytest.mark.parametrize("since", [None, "LAST"])
def test_a_bundle_whose_entries_a_second_process_writes_is_the_same_bundle(
    laptop_a, tmp_path, monkeypatch, since
):
    """From CHILD_FROM entries on, a second process writes the entries while the photos are
    copied: the same members (entries byte for byte), the same photos, and it imports alike."""
    from gspace.sync import bundle_entries
    from gspace.sync.bundle_export import LAST_EXPORT

    with Incident.open(laptop_a) as a:
        export_bundle(a, tmp_path / "first.gsb")  # LAST: the posts below are what is new
        add_posts(a, ["停電しています"])
        add_photos(a, tmp_path / "photos-later", range(20, 22))
        last = a.conn.execute("SELECT value FROM meta WHERE key = ?", (LAST_EXPORT,)).fetchone()
        one = export_bundle(a, tmp_path / "one.gsb", since=since)
        a.set_meta(LAST_EXPORT, last[0])  # the second export starts from the same place
        monkeypatch.setattr(bundle_entries, "CHILD_FROM", 1)
        before = set(Path(tempfile.gettempdir()).glob("gspace-entries-*"))
        results, result = [], bundle_entries.EntriesProcess.result
        monkeypatch.setattr(
            bundle_entries.EntriesProcess,
            "result",
            lambda p, c=None: results.append(result(p, c)) or results[-1],
        )
        two = export_bundle(a, tmp_path / "two.gsb", since=since)
    assert len(results) == 1 and results[0].entries == one.entries  # the process wrote them
    assert set(Path(tempfile.gettempdir()).glob("gspace-entries-*")) == before  # removed
    assert (two.entries, two.media, two.seq) == (one.entries, one.media, one.seq)
    assert two.media == (5 if since is None else 2)
    first, second = members(tmp_path / "one.gsb"), members(tmp_path / "two.gsb")
    assert second.keys() == first.keys()
    assert second["entries.jsonl"] == first["entries.jsonl"]
    assert (
        manifest_of(tmp_path / "two.gsb")["members"] == manifest_of(tmp_path / "one.gsb")["members"]
    )
    # the entries went into the zip as the process deflated them: another zip reader agrees
    tested = subprocess.run(["unzip", "-tq", tmp_path / "two.gsb"], capture_output=True, text=True)
    assert tested.returncode == 0 and "No errors detected" in tested.stdout, tested
    with Incident.create(tmp_path / "b") as b:
        if since:
            import_bundle(b, tmp_path / "first.gsb")
        assert import_bundle(b, tmp_path / "two.gsb").media_added == two.media
    assert state(tmp_path / "b")[:2] == state(laptop_a)[:2]


def test_the_entries_process_loads_only_what_reading_the_log_needs(laptop_a, tmp_path):
    """The second process is a new interpreter that loads neither the incident's modules
    (sqlite_utils loads numpy, and pandas where installed: most of its start) nor the program
    that started the export; it writes the entries the export writes, byte for byte."""
    import sys
    import zlib

    import orjson

    with Incident.open(laptop_a) as a:
        exported = export_bundle(a, tmp_path / "a.gsb")
    target = tmp_path / "entries.jsonl"
    code = (
        "import atexit, runpy, sys\n"
        "heavy = ('sqlite_utils', 'numpy', 'gspace.store.incident', 'gspace.store.records')\n"
        "loaded = lambda: ' '.join(m for m in heavy if m in sys.modules)\n"
        "atexit.register(lambda: sys.stderr.write(loaded()))\n"
        "runpy.run_module('gspace.sync.bundle_entries', run_name='__main__')\n"
    )
    store = str(laptop_a / "store.sqlite")
    done = subprocess.run(
        [sys.executable, "-c", code, store, "ro", "0", "", str(target)], capture_output=True
    )
    assert (done.returncode, done.stderr) == (0, b"")
    answer = orjson.loads(done.stdout)
    assert answer["entries"] == exported.entries and answer["member"]["size"] > 0
    entries = zlib.decompress(target.read_bytes(), -15)  # deflated, as the zip's member
    assert entries == members(tmp_path / "a.gsb")["entries.jsonl"]
    assert answer["crc"] == zlib.crc32(entries) and answer["member"]["size"] == len(entries)


def test_every_member_carries_the_crc_any_zip_reader_computes(laptop_a, tmp_path):
    """gspace computes the members' CRC-32 with ISA-L: each must be the value zlib computes,
    as every other zip reader checks it."""
    import binascii
    import zipfile

    with Incident.open(laptop_a) as a:
        export_bundle(a, tmp_path / "a.gsb")
    with zipfile.ZipFile(tmp_path / "a.gsb") as archive:
        infos = archive.infolist()
        assert len(infos) >= 8
        for info in infos:
            with open(tmp_path / "a.gsb", "rb") as raw:  # the stored bytes, not zipfile's reader
                raw.seek(info.header_offset + 26)
                skip = int.from_bytes(raw.read(2), "little") + int.from_bytes(raw.read(2), "little")
                raw.seek(skip, 1)
                data = raw.read(info.compress_size)
            if info.compress_type == zipfile.ZIP_DEFLATED:
                import zlib

                data = zlib.decompress(data, -15)
            assert binascii.crc32(data) == info.CRC, info.filename


def test_a_second_process_that_fails_or_is_cancelled_leaves_nothing_and_says_no_traceback(
    laptop_a, tmp_path, capfd
):
    """A process that cannot write the entries answers None (the export writes them itself)
    without printing a traceback; a cancel while waiting for it stops it; its file goes."""
    from types import SimpleNamespace

    from gspace.sync.bundle_entries import EntriesProcess

    with EntriesProcess(SimpleNamespace(path=tmp_path / "no incident"), 0, None) as child:
        assert child.result() is None
        made = child.target
    assert not made.exists()
    with Incident.open(laptop_a) as a, EntriesProcess(a, 0, None) as child:
        with pytest.raises(Interrupted):
            child.result(cancel=lambda: True)
        made = child.target
    assert not made.exists() and child.process.poll() is not None
    assert "Traceback" not in capfd.readouterr().err
