"""Laptops (real incident folders with real photos) and bundle files, good and bad, for the
bundle tests."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import orjson
from photo_files import make_jpeg

from gspace.ingest.photos import import_photos
from gspace.store import records
from gspace.store.incident import Incident
from gspace.sync.bundle_export import digest_of
from gspace.sync.bundle_format import MANIFEST, Member
from gspace.sync.dump import canonical_dump

# a layer kind of the incident's own, which bundles carry
KIND = """kind = "charging"
title = { ja = "充電スポット", en = "Charging spot" }
fields = ["name", "address"]
[symbol]
shape = "square"
color = "#2255aa"
[[statuses]]
id = "open"
label = { ja = "利用可", en = "Open" }
"""


def add_photos(inc: Incident, folder: Path, seeds: range, lat: float = 32.79) -> int:
    """Real JPEGs with EXIF GPS and time, imported as photo reports."""
    for seed in seeds:
        make_jpeg(
            folder / f"IMG_{seed:04d}.JPG",
            lat=lat + seed / 1000,
            lon=130.74,
            taken=datetime(2026, 11, 20, 9, seed % 60),
            seed=seed,
        )
    summary = import_photos(inc, [folder], jobs=1)
    return summary.count("imported")


def add_posts(inc: Incident, texts: list[str]) -> list[str]:
    with inc.transaction():
        return records.add_reports(
            inc,
            [
                {
                    "kind": "sns",
                    "lon": 130.70 + n / 100,
                    "lat": 32.80,
                    "text": text,
                    "observed_at": "2026-11-20T10:00:00+09:00",
                    "source": f"https://sns.example/{text}",
                }
                for n, text in enumerate(texts)
            ],
        )


def state(path: Path) -> tuple[str, list[str], list[str]]:
    """What a user could see change: every synced row (canonical dump), the files in media/
    and the incident's layer kinds."""
    with Incident.open(path, write=False) as inc:
        dump = canonical_dump(inc)
    media = sorted(str(p.relative_to(path)) for p in (path / "media").rglob("*") if p.is_file())
    layers = sorted(p.name for p in (path / "layers").glob("*"))
    return dump, media, layers


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_bundle(path: Path, contents: dict[str, bytes], fix_manifest: bool = True) -> Path:
    """A bundle of exactly `contents`; with `fix_manifest`, the manifest's checksums and
    sizes describe the members as they now are (a bundle altered by someone who knew how)."""
    contents = dict(contents)
    if fix_manifest and MANIFEST in contents:
        manifest = orjson.loads(contents[MANIFEST])
        manifest["members"] = {
            name: {"sha256": member.sha256, "size": member.size}
            for name, data in contents.items()
            if name != MANIFEST
            for member in [Member(digest_of(data), len(data))]
        }
        contents[MANIFEST] = orjson.dumps(manifest)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def manifest_of(bundle: Path) -> dict:
    return orjson.loads(members(bundle)[MANIFEST])


def entries_of(bundle: Path) -> list[dict]:
    return [orjson.loads(line) for line in members(bundle)["entries.jsonl"].splitlines()]


FIELD_INCIDENT = "熊本豪雨"  # the field laptop's incident (field_bundle, the field_laptop fixture)


def field_bundle(root: Path, name: str) -> list[str]:
    """A field laptop's incident `name` (three photos and a post) exported to root/a.gsb; the
    photos' hashes."""
    from gspace.sync.bundle import export_bundle

    with Incident.create(root / "a", name=name) as a:
        add_photos(a, root / "photos", range(1, 4))
        add_posts(a, ["断水が続いています"])
        export_bundle(a, root / "a.gsb")
        return [r[0] for r in a.conn.execute("SELECT sha256 FROM media")]


def laptops_apart(root: Path, kind: str | None = None) -> None:
    """Laptop b joined a's incident with `first.gsb`, then wrote a post; a then took photos and
    wrote posts (and, with `kind`, made a layer kind of its own): `a.gsb`, everything of a's,
    brings b photos, reports and posts."""
    from gspace.sync.bundle import export_bundle, import_bundle

    with Incident.create(root / "a", name="熊本地震") as a:
        add_photos(a, root / "photos-1", range(1, 3))
        export_bundle(a, root / "first.gsb")
        add_photos(a, root / "photos-2", range(5, 9))
        add_posts(a, ["道路が通れません", "停電しています"])
        if kind:
            (root / "a" / "layers").mkdir()
            (root / "a" / "layers" / "charging.toml").write_text(kind, encoding="utf-8")
        export_bundle(a, root / "a.gsb")
    with Incident.create(root / "b") as b:
        import_bundle(b, root / "first.gsb")
        add_posts(b, ["避難所が満員です"])
