"""Bad bundles (issue 16, "Bad bundles"): each is refused (exit 1) or held (exit 0) with one line
per problem, through the real command, and the incident is left as it was: the same canonical
dump of every synced row, the same files in media/ and the same layer kinds."""

from __future__ import annotations

import re
import shutil
import zipfile

import orjson
import pytest
from bundle_files import add_photos, add_posts, members, state, write_bundle
from helpers import EN, JA, run_gspace

from gspace.store.incident import Incident
from gspace.store.schema import SCHEMA_VERSION
from gspace.sync.bundle import export_bundle, import_bundle


@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    """Laptop b joined a's incident with a first bundle and wrote a post of its own; since
    then a took more photos: `good.gsb` (everything of a's) would change b."""
    root = tmp_path_factory.mktemp("laptops")
    with Incident.create(root / "a", name="熊本地震") as a:
        add_photos(a, root / "photos-1", range(1, 3))
        add_posts(a, ["断水が続いています"])
        export_bundle(a, root / "first.gsb")
        add_photos(a, root / "photos-2", range(5, 8))
        add_posts(a, ["道路が通れません"])
        export_bundle(a, root / "good.gsb")
    with Incident.create(root / "b") as b:
        import_bundle(b, root / "first.gsb")
        add_posts(b, ["避難所が満員です"])
    with Incident.create(root / "other", name="別の事案") as other:
        add_posts(other, ["別の事案の投稿"])
        export_bundle(other, root / "other.gsb")
    return root


@pytest.fixture
def b(laptops, tmp_path):
    shutil.copytree(laptops / "b", tmp_path / "b")
    return tmp_path / "b"


def photo_member(contents: dict) -> str:
    return next(n for n in sorted(contents) if n.startswith("media/"))


def cut_half(laptops, out):
    data = (laptops / "good.gsb").read_bytes()
    out.write_bytes(data[: len(data) // 2])


def cut_end(laptops, out):
    out.write_bytes((laptops / "good.gsb").read_bytes()[:-30])


def member_missing(laptops, out):
    contents = members(laptops / "good.gsb")
    del contents[photo_member(contents)]
    write_bundle(out, contents, fix_manifest=False)


def photo_damaged(laptops, out):
    """A byte of a stored photo flipped on the stick (the zip's CRC-32 and our SHA-256 differ)."""
    contents = members(laptops / "good.gsb")
    name = photo_member(contents)
    data = bytearray((laptops / "good.gsb").read_bytes())
    at = data.find(contents[name][1000:1040])
    data[at] ^= 0xFF
    out.write_bytes(bytes(data))


def entries_altered(laptops, out):
    """A change's text edited and the zip rebuilt properly: only the manifest's SHA-256 tells."""
    contents = members(laptops / "good.gsb")
    contents["entries.jsonl"] = contents["entries.jsonl"].replace(
        "道路が通れません".encode(), "道路が通れます。".encode()
    )
    write_bundle(out, contents, fix_manifest=False)


def photo_swapped(laptops, out):
    """Another picture under a photo's name, the manifest rewritten to match: the photo's own
    SHA-256 (its name) still tells."""
    contents = members(laptops / "good.gsb")
    name = photo_member(contents)
    contents[name] = contents[name][:-100] + b"\0" * 100
    write_bundle(out, contents)


def media_size_wrong(laptops, out):
    """A photo's size in the manifest's media list that is not its member's (here: text)."""
    contents = members(laptops / "good.gsb")
    manifest = orjson.loads(contents["manifest.json"])
    sha = photo_member(contents)[6:]
    manifest["media"][sha]["size"] = str(manifest["media"][sha]["size"])
    contents["manifest.json"] = orjson.dumps(manifest)
    write_bundle(out, contents)


def other_incident(laptops, out):
    shutil.copy(laptops / "other.gsb", out)


def with_member(name):
    def build(laptops, out):
        contents = members(laptops / "good.gsb")
        contents[name] = b"x"
        write_bundle(out, contents)

    return build


def nul_name(laptops, out):
    """A member whose name holds a NUL byte (written by hand: Python's zipfile cuts names
    at NUL)."""
    contents = members(laptops / "good.gsb")
    contents["layers/evilXX.toml"] = b'kind = "x"'
    write_bundle(out, contents)
    out.write_bytes(out.read_bytes().replace(b"layers/evilXX.toml", b"layers/\0/../x.toml"))


def listed_outside(laptops, out):
    """The manifest lists a member outside the bundle's folders (none is in the zip)."""
    contents = members(laptops / "good.gsb")
    manifest = orjson.loads(contents["manifest.json"])
    manifest["members"]["../../escape.jpg"] = {"sha256": "0" * 64, "size": 1}
    contents["manifest.json"] = orjson.dumps(manifest)
    write_bundle(out, contents, fix_manifest=False)


def no_entries(laptops, out):
    contents = members(laptops / "good.gsb")
    del contents["entries.jsonl"]
    write_bundle(out, contents)


def newer_format(laptops, out):
    contents = members(laptops / "good.gsb")
    manifest = orjson.loads(contents["manifest.json"])
    manifest["format_version"] = 99
    contents["manifest.json"] = orjson.dumps(manifest)
    write_bundle(out, contents)


def not_a_bundle(laptops, out):
    out.write_text("id,name\n1,shelter\n", encoding="utf-8")


def some_other_zip(laptops, out):
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("doc.txt", "hello")


REFUSED = [
    (cut_half, "not a gspace bundle (.gsb), or cut short"),
    (cut_end, "not a gspace bundle (.gsb), or cut short"),
    (member_missing, "the bundle is incomplete (media/"),
    (photo_damaged, "the bundle has been altered or damaged (media/"),
    (entries_altered, "the bundle has been altered or damaged (entries.jsonl: SHA-256 differs)"),
    (photo_swapped, "the bundle has been altered or damaged (media/"),
    (media_size_wrong, "the bundle has been altered or damaged (media "),
    (other_incident, "the bundle is from another incident (別の事案, "),
    (with_member("media/../../../escape.jpg"), "'media/../../../escape.jpg', which could write"),
    (with_member("/tmp/escape.jpg"), "'/tmp/escape.jpg', which could write outside"),
    (with_member("..\\escape.jpg"), "which could write outside the incident"),
    (with_member("C:/escape.jpg"), "which could write outside the incident"),
    (nul_name, "altered or damaged (unexpected member 'layers/')"),
    (listed_outside, "'../../escape.jpg', which could write outside the incident"),
    (with_member("notes.txt"), "altered or damaged (unexpected member 'notes.txt')"),
    (no_entries, "altered or damaged (the manifest does not list entries.jsonl)"),
    (newer_format, "made by a newer gspace (bundle format 99); update gspace"),
    (not_a_bundle, "not a gspace bundle"),
    (some_other_zip, "not a gspace bundle"),
]


@pytest.mark.parametrize(("build", "expected"), REFUSED, ids=[b.__name__ for b, _ in REFUSED])
def test_a_bad_bundle_is_refused_with_one_line_and_changes_nothing(
    laptops, b, tmp_path, build, expected
):
    bad = tmp_path / "bad.gsb"
    build(laptops, bad)
    before = state(b)
    result = run_gspace("bundle", "import", b, bad, env=EN)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"gspace: {bad}: ") and expected in lines[0], lines[0]
    assert state(b) == before
    assert sorted(p.name for p in b.iterdir()) == sorted(p.name for p in (laptops / "b").iterdir())
    # and the good bundle still goes in after it
    assert run_gspace("bundle", "import", b, laptops / "good.gsb").returncode == 0
    assert state(b) != before


def test_the_refusal_in_japanese(laptops, b, tmp_path):
    bad = tmp_path / "bad.gsb"
    entries_altered(laptops, bad)
    result = run_gspace("bundle", "import", b, bad, env=JA)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"gspace: {bad}: バンドルが書き換えられたか壊れています(entries.jsonl: SHA-256 differs)。"
        "何も取り込んでいません。作成したノートPCからもう一度コピーしてください"
    )


def test_entries_of_a_newer_schema_are_held_and_listed(laptops, b, tmp_path):
    contents = members(laptops / "good.gsb")
    lines = contents["entries.jsonl"].splitlines()
    newer = []
    for line in lines:
        entry = orjson.loads(line)
        entry["schema"] = SCHEMA_VERSION + 1
        newer.append(orjson.dumps(entry))
    contents["entries.jsonl"] = b"\n".join(newer) + b"\n"
    held = write_bundle(tmp_path / "newer.gsb", contents)
    dump, media, layers = state(b)
    result = run_gspace("bundle", "import", b, held, env=EN)
    assert result.returncode == 0, result.stderr
    *listed, summary = result.stderr.splitlines()
    known = [line for line in listed if "held: written by a newer gspace" in line]
    assert listed == known  # one line each, nothing else
    assert f"(schema {SCHEMA_VERSION + 1})" in known[0]
    # every change b did not have yet (3 photos and their reports, a post) is held
    assert int(re.search(r"(\d+) held", summary).group(1)) == len(known) >= 7
    after = state(b)
    assert after[0] == dump and after[2] == layers
    assert after[1] == media  # the photos of held rows wait for the update (import again then)


def test_a_path_inside_a_bundle_never_reaches_the_file_system(laptops, b, tmp_path):
    """A media entry naming ../ or an absolute path: the photo lands where its hash says, and
    the row's path is the one computed here."""
    contents = members(laptops / "good.gsb")
    entries = []
    for line in contents["entries.jsonl"].splitlines():
        entry = orjson.loads(line)
        if entry["tbl"] == "media" and entry["op"] == "insert":
            entry["data"]["path"] = "../../../escape.jpg" if len(entries) % 2 else "/tmp/x.jpg"
        entries.append(orjson.dumps(entry))
    contents["entries.jsonl"] = b"\n".join(entries) + b"\n"
    bundle = write_bundle(tmp_path / "paths.gsb", contents)
    with Incident.open(b) as inc:
        summary = import_bundle(inc, bundle)
        paths = dict(inc.conn.execute("SELECT sha256, path FROM media").fetchall())
    assert summary.media_added == 3
    for sha, path in paths.items():
        assert path == f"media/{sha[:2]}/{sha}.jpg" and (b / path).is_file()
    assert not (tmp_path.parent / "escape.jpg").exists() and not (b.parent / "escape.jpg").exists()
