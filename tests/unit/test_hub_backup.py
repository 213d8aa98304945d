"""Backing up and restoring the hub (issue 17): a restored hub that lost what came after the
backup gets it all back from the laptops that synced since, which notice by the hub's epoch
(not by its entry count) and send again what it lacks; a damaged backup is refused or its
damaged photos left out, named; a folder in use is not overwritten without --force."""

from __future__ import annotations

import json
import shutil

import pytest
from hub_helpers import Hub, add_photo, photo_bytes

from gspace.hub import epoch
from gspace.hub.backup import MANIFEST, BackupError, backup, restore
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.client import get_meta, meta_key
from gspace.sync.dump import canonical_dump

INCIDENT = "熊本豪雨"


def laptop(tmp_path, n: int) -> Incident:
    return Incident.create(tmp_path / f"laptop{n}", name=INCIDENT)


def add_report(inc: Incident, text: str) -> str:
    with inc.transaction():
        [rid] = records.add_reports(
            inc, [{"kind": "manual", "lon": 130.7, "lat": 32.8, "text": text}]
        )
    return rid


def count(inc: Incident, sql: str = "SELECT count(*) FROM reports") -> int:
    return inc.conn.execute(sql).fetchone()[0]


@pytest.fixture
def hubs(tmp_path):
    opened: list[Hub] = []

    def make(folder):
        h = Hub(folder)
        opened.append(h)
        return h

    yield make
    for h in opened:
        h.close()


def test_a_laptop_that_synced_after_the_backup_gives_the_restored_hub_everything(tmp_path, hubs):
    first = hubs(tmp_path / "hub")
    token = first.token(role="admin", incident=None)
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    add_report(a, "before the backup")
    old_photo = add_photo(a, photo_bytes(1))
    first.sync(a, token)
    first.sync(b, token)
    backup(first.folder, tmp_path / "backup")
    # after the backup: a writes more, b receives it, the hub is then lost
    add_report(a, "after the backup")
    new_photo = add_photo(a, photo_bytes(2), "q.jpg")
    first.sync(a, token)
    first.sync(b, token)
    assert count(b) == 4
    shutil.rmtree(a.path)  # a is lost too: only b still has what came after the backup
    restore(tmp_path / "backup", tmp_path / "restored")
    second = hubs(tmp_path / "restored")
    assert count(second.incident()) == 2  # the backup's
    assert second.state.media.has(old_photo) and not second.state.media.has(new_photo)
    summary = second.sync(b, token)  # the same address: b's cursors are ahead of this hub
    assert summary.hub_restored
    assert summary.pending == []
    assert count(second.incident()) == 4
    assert canonical_dump(second.incident()) == canonical_dump(b)
    assert second.state.media.has(new_photo)
    again = second.sync(b, token)
    assert not again.hub_restored and again.sent == 0 and again.received == 0


def test_the_cli_says_the_hub_was_restored_in_one_line(tmp_path, hubs):
    from gspace.sync.hub_messages import say

    assert "restored" in say("restored") and "\n" not in say("restored")


def test_a_new_laptop_on_a_restored_hub_is_not_told_anything(tmp_path, hubs):
    first = hubs(tmp_path / "hub")
    token = first.token(role="admin", incident=None)
    a = laptop(tmp_path, 0)
    add_report(a, "one")
    first.sync(a, token)
    backup(first.folder, tmp_path / "backup")
    restore(tmp_path / "backup", tmp_path / "restored")
    second = hubs(tmp_path / "restored")
    c = laptop(tmp_path, 2)
    summary = second.sync(c, token)
    assert not summary.hub_restored and summary.received == count(
        second.incident(), "SELECT count(*) FROM changes"
    )
    assert canonical_dump(c) == canonical_dump(second.incident())


def test_a_hub_that_merely_has_more_entries_after_the_restore_is_not_trusted(tmp_path, hubs):
    """The restored hub receives more from another laptop than b's cursor before b syncs:
    `last` is above b's cursor, yet b still notices (by the epoch) and sends again."""
    first = hubs(tmp_path / "hub")
    token = first.token(role="admin", incident=None)
    a, b = laptop(tmp_path, 0), laptop(tmp_path, 1)
    first.sync(b, token)
    backup(first.folder, tmp_path / "backup")
    add_report(b, "only b has this after the restore")
    first.sync(b, token)
    restore(tmp_path / "backup", tmp_path / "restored")
    second = hubs(tmp_path / "restored")
    for n in range(5):
        add_report(a, f"a {n}")
    second.sync(a, token)
    pulled = int(get_meta(b, meta_key("http://hub.test", INCIDENT, "pull"), "0"))
    assert count(second.incident(), "SELECT max(seq) FROM changes") > pulled
    assert second.sync(b, token).hub_restored
    second.sync(a, token)
    assert canonical_dump(a) == canonical_dump(b) == canonical_dump(second.incident())
    assert count(b) == 6


@pytest.mark.parametrize(
    ("seen", "cursor", "expected"),
    [
        ("e2", 50, None),  # same epoch, cursor within the hub's history
        ("e2", 500, 0),  # same epoch, but the hub is behind: copied back by hand
        ("e1", 50, 40),  # restored once, from a backup at 40
        ("e0", 50, 20),  # twice: the smaller base on the way
        ("e1", 30, 30),  # the laptop had pulled less than the backup held
        ("zz", 50, 0),  # another hub at this address
        (None, 50, 20),  # a laptop from before epochs: the first epoch
    ],
)
def test_where_a_laptop_pulls_from_after_restores(seen, cursor, expected):
    current = {
        "epoch": "e2",
        "last": 100,
        "restores": [
            {"from": "e0", "to": "e1", "base": 20},
            {"from": "e1", "to": "e2", "base": 40},
        ],
    }
    assert epoch.pull_from(seen, current, cursor) == expected


def test_a_laptop_from_before_epochs_on_a_hub_never_restored_keeps_its_cursors():
    assert epoch.pull_from(None, {"epoch": "e0", "last": 9, "restores": []}, 9) is None


def test_damaged_backups(tmp_path, hubs):
    first = hubs(tmp_path / "hub")
    a = laptop(tmp_path, 0)
    add_report(a, "one")
    sha = add_photo(a, photo_bytes(3))
    first.sync(a, first.token(role="admin", incident=None))
    backup(first.folder, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    # a damaged photo is left out, named; the rest is restored
    photo = tmp_path / "backup" / "media" / sha[:2] / sha
    photo.write_bytes(b"not the photo")
    result = restore(tmp_path / "backup", tmp_path / "r1")
    assert len(result.skipped) == 1 and sha[:12] in result.skipped[0]
    assert not (tmp_path / "r1" / "media" / sha[:2] / sha).exists()
    assert (tmp_path / "r1" / "hub.sqlite").is_file()
    # a damaged database refuses the restore, and nothing is left in the folder
    store = next((tmp_path / "backup" / manifest["snapshot"]).glob("incidents/*/store.sqlite"))
    data = bytearray(store.read_bytes())
    data[-100] ^= 0xFF
    store.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        restore(tmp_path / "backup", tmp_path / "r2")
    assert list((tmp_path / "r2").iterdir()) == []
    # a manifest naming a path outside the backup
    manifest["databases"]["../../etc/x"] = {"size": 1, "sha256": "0" * 64}
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="outside"):
        restore(tmp_path / "backup", tmp_path / "r3")


def test_restore_refuses_a_folder_in_use_without_force(tmp_path, hubs):
    first = hubs(tmp_path / "hub")
    token = first.token(role="admin", incident=None)
    a = laptop(tmp_path, 0)
    add_report(a, "one")
    first.sync(a, token)
    backup(first.folder, tmp_path / "backup")
    add_report(a, "two")
    first.sync(a, token)
    first.close()
    with pytest.raises(BackupError, match="not empty"):
        restore(tmp_path / "backup", tmp_path / "hub")
    restore(tmp_path / "backup", tmp_path / "hub", force=True)
    [aside] = (tmp_path / "hub").glob("replaced-*")
    assert (aside / "hub.sqlite").is_file()  # what was there is kept, not deleted
    second = hubs(tmp_path / "hub")
    assert count(second.incident()) == 1


def test_a_second_backup_into_the_same_folder_copies_only_new_photos(tmp_path, hubs):
    first = hubs(tmp_path / "hub")
    token = first.token(role="admin", incident=None)
    a = laptop(tmp_path, 0)
    add_photo(a, photo_bytes(1))
    first.sync(a, token)
    assert backup(first.folder, tmp_path / "backup").media_copied == 1
    add_photo(a, photo_bytes(2), "q.jpg")
    first.sync(a, token)
    result = backup(first.folder, tmp_path / "backup")
    assert (result.media, result.media_copied) == (2, 1)
    assert len(list((tmp_path / "backup").glob("db-*"))) == 1
    restore(tmp_path / "backup", tmp_path / "restored")
    second = hubs(tmp_path / "restored")
    assert count(second.incident()) == 2
