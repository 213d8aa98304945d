"""`gspace import`: photos, SNS posts, reference layers, shelter-status snapshots and gazetteer
towns, each a few lines over its ingest module; what was skipped goes to stderr with the
reason, and Ctrl-C says what was kept."""

from __future__ import annotations

import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import click

from gspace.errors import Interrupted, message
from gspace.ingest.interrupt import Interruptible, interrupted
from gspace.store.incident import Incident


@click.group("import")
def import_() -> None:
    """Bring photos, SNS posts, reference layers and gazetteer towns into gspace."""


TIME_OFFSET = re.compile(r"^([+-]?)(\d{1,2})(?::?(\d{2}))?$")


def _time_offset(value: str | None) -> timedelta | None:
    """`--time-offset ±HH:MM` (or ±HH, ±HHMM) as a timedelta."""
    if value is None:
        return None
    match = TIME_OFFSET.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not ±HH:MM", param_hint="--time-offset")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -delta if sign == "-" else delta


@import_.command("photos")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--gpx",
    type=click.Path(dir_okay=False),
    help="place photos without GPS on this GPX track by time",
)
@click.option(
    "--time-offset",
    help="the camera clock's offset from UTC, ±HH:MM, for photos "
    "whose time has none (default: the incident's time zone)",
)
@click.option("--jobs", type=click.IntRange(1, 64), help="worker processes (default: all cores)")
def import_photos(
    incident: Path,
    paths: tuple[str, ...],
    gpx: str | None,
    time_offset: str | None,
    jobs: int | None,
) -> None:
    """Import photos (files or folders, recursively) as photo reports.

    JPEG, HEIC/HEIF, TIFF, PNG and WebP. Photos without GPS are imported without a location
    (or placed on the --gpx track). Every other file is listed on stderr with what happened
    to it (skipped, not imported: video, not imported: not an image) and counted in the
    closing summary; a path that does not exist is an error (exit 1 when none exists).
    Ctrl-C stops after the photo being read and says how many were kept; running the same
    command again finishes the import.

    Example: gspace import photos ~/incidents/kumamoto /media/sdcard/DCIM --gpx track.gpx
    """
    from gspace.ingest.photos import import_photos as run_import

    offset = _time_offset(time_offset)
    missing = [p for p in paths if not os.path.lexists(p)]
    for path in missing:
        click.echo(f"gspace: {message('missing', path=path)}", err=True)
    if len(missing) == len(paths):
        sys.exit(1)  # nothing to import: the lines above say why, nothing changed
    with Incident.open(incident) as inc, Interruptible() as stop:
        summary = run_import(
            inc, paths, gpx=gpx, camera_offset=offset, jobs=jobs, cancelled=stop.requested
        )
    for outcome in summary.outcomes:
        if outcome.outcome != "not found" and (outcome.outcome != "imported" or outcome.reason):
            click.echo(f"{outcome.path}: {outcome.outcome}: {outcome.reason}", err=True)
    click.echo(summary.line(), err=True)
    if summary.cancelled:
        raise interrupted(summary.kept(), summary.total, "photos", "写真")


@import_.command("sns")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "x-v1", "x-v2", "mastodon", "csv", "jsonl"]),
    default="auto",
    show_default=True,
    help="the export's format; auto tells it from the file",
)
@click.option(
    "--encoding", default=None, help="CSV text encoding (default: UTF-8 or CP932, detected)"
)
@click.option("--text-column", help="CSV/JSONL: the column with the post's text")
@click.option("--time-column", help="CSV/JSONL: the column with the post's time")
@click.option("--lat-column", help="CSV/JSONL: the latitude column")
@click.option("--lon-column", help="CSV/JSONL: the longitude column")
@click.option("--author-column", help="CSV/JSONL: the author column")
@click.option("--id-column", help="CSV/JSONL: the post id column")
@click.option("--url-column", help="CSV/JSONL: the post URL column")
@click.option("--jobs", type=click.IntRange(1, 64), help="worker processes for JSONL files")
def import_sns(
    incident: Path,
    files: tuple[Path, ...],
    fmt: str,
    encoding: str | None,
    jobs: int | None,
    **columns: str | None,
) -> None:
    """Import SNS posts (X/Twitter v1.1 and v2, Mastodon, CSV, JSONL) as sns reports.

    Posts are placed by their coordinates, their tagged place, or a Japanese address or place
    name in their text; categories come from keywords. Reposts and copies attach to the
    original. Skipped records are listed on stderr with the reason. Ctrl-C stops after the
    batch being written and says how many posts were kept; running the same command again
    finishes the import.

    Example: gspace import sns ~/incidents/kumamoto tweets.jsonl outbox.json
    """
    from gspace.ingest.sns import count_records
    from gspace.ingest.sns import import_sns as run_import

    mapping = {k.removesuffix("_column"): v for k, v in columns.items() if v}
    with Incident.open(incident) as inc, Interruptible() as stop:
        summary = run_import(
            inc,
            files,
            fmt=fmt,
            mapping=mapping or None,
            encoding=encoding,
            jobs=jobs,
            cancelled=stop.requested,
        )
    for where, reason in summary.reasons:
        click.echo(f"{where}: skipped: {reason}", err=True)
    if summary.skipped > len(summary.reasons):
        click.echo(f"... and {summary.skipped - len(summary.reasons)} more skipped", err=True)
    for file, chosen in summary.formats.items():
        click.echo(f"{file}: read as {chosen}", err=True)
    click.echo(summary.line(), err=True)
    if summary.cancelled:
        raise interrupted(summary.kept(), count_records(files), "posts", "投稿")


@import_.command("gazetteer")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_gazetteer(files: tuple[Path, ...]) -> None:
    """Add towns (大字・町丁目) to the gazetteer that places SNS posts by their text.

    FILES are MLIT 位置参照情報 大字・町丁目 CSV files, or their zip files as downloaded. The towns
    are kept in the user's data folder and used for every incident from then on.

    Example: gspace import gazetteer 43000-17.0b.zip
    """
    from gspace.ingest.gazetteer import import_towns, towns_path

    read, total = import_towns(files)
    click.echo(f"{read} towns read; the gazetteer has {total} towns ({towns_path()})", err=True)


@import_.command("layer")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", required=True, help="layer kind: shelter, water, wifi, generic, ...")
@click.option(
    "--encoding",
    default="auto",
    show_default=True,
    help="auto, utf-8, cp932, ... (CSV, JSON, a Shapefile's attributes)",
)
@click.option(
    "--crs",
    help="the coordinates' system when the file does not say, e.g. EPSG:6677 (plane "
    "rectangular zone IX, X/Y columns or geometries) or EPSG:4301 (Tokyo datum); default "
    "JGD2011 latitude/longitude",
)
@click.option("--lat", help="the latitude column, when it is not found by name")
@click.option("--lon", help="the longitude column, when it is not found by name")
@click.option(
    "--into",
    metavar="LAYER",
    help="the layer (id or name) a re-import updates; default: the layer of the same file name; "
    "a new name makes a new layer",
)
@click.option(
    "--source-layer",
    help="the layer of a GeoPackage, KML folder or zipped Shapefile to import, or 'all'",
)
def import_layer(
    incident: Path,
    file: Path,
    kind: str,
    encoding: str,
    crs: str | None,
    lat: str | None,
    lon: str | None,
    into: str | None,
    source_layer: str | None,
) -> None:
    """Import a reference layer (CSV in the standard open-data layouts, JSON records, GeoJSON,
    Shapefile, GeoPackage, KML/KMZ).

    Rows without usable coordinates are listed on stderr. A newer version of the same dataset
    (or the same data in another format, with --into) updates the features of its layer in
    place: only that layer's features are matched, and values edited in gspace are kept. A file
    with several layers is imported with --source-layer NAME (or all).

    Example: gspace import layer ~/incidents/kumamoto 避難所.csv --kind shelter
    """
    from gspace.ingest.layers import import_layer as run_import

    if (lat is None) != (lon is None):
        raise click.UsageError("give --lat and --lon together")
    # one transaction: Ctrl-C stops at once and rolls it back
    with Incident.open(incident) as inc, Interruptible("interrupted nothing", batches=False):
        summary = run_import(
            inc,
            file,
            kind,
            encoding=encoding,
            crs=crs,
            lat=lat,
            lon=lon,
            into=into,
            source_layer=source_layer,
        )
    for row, reason in summary.skipped:
        click.echo(f"{file}:{row}: skipped: {reason}", err=True)
    for line in summary.details():
        click.echo(line, err=True)
    click.echo(f"layer: {summary.into}" + (" (new)" if summary.new_layer else ""), err=True)
    click.echo(summary.line(), err=True)


@import_.command("status")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--watch",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="keep watching this folder and import each new snapshot dropped into it (Ctrl-C stops)",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.5, 3600),
    default=10,
    show_default=True,
    help="seconds between looks into the --watch folder",
)
@click.option(
    "--encoding", default="auto", show_default=True, help="auto, utf-8, cp932, ... (CSV, JSON)"
)
def import_status(
    incident: Path, files: tuple[Path, ...], folder: Path | None, interval: float, encoding: str
) -> None:
    """Update shelters from a published shelter-status list (CSV or JSON snapshot).

    Columns such as 避難所名 / 開設状況 / 混雑状況 / 避難者数 / 更新日時 (or shelter_name,
    opening_status, crowding, evacuees, updated_at) update the matching shelters' situation;
    no feature is added. A row older than the shelter's last report changes nothing; times
    without an offset are in the incident's time zone. Rows that match no shelter and rows that
    cannot be read are listed on stderr, one line each. --watch DIR imports each new snapshot
    dropped into DIR once, until Ctrl-C (exit 130).

    Example: gspace import status ~/incidents/kumamoto 避難所開設状況.csv --watch /media/usb/feed
    """
    from gspace.ingest.status_feed import import_status as run_import
    from gspace.ingest.status_watch import watch

    if not files and folder is None:
        raise click.UsageError("give a snapshot FILE, or --watch DIR")

    def show(path: Path, summary, error: str | None) -> None:
        if error:
            click.echo(f"gspace: {error}", err=True)
            return
        for line in summary.lines():
            click.echo(line, err=True)
        click.echo(f"{path.name}: {summary.line()}", err=True)

    with Incident.open(incident) as inc:
        for file in files:
            show(file, run_import(inc, file, encoding=encoding), None)
        if folder is not None:
            with Interruptible() as stop:
                click.echo(f"watching {folder} (Ctrl-C stops)", err=True)
                count = watch(
                    inc,
                    folder,
                    cancelled=stop.requested,
                    report=show,
                    interval=interval,
                    encoding=encoding,
                )
            raise Interrupted(message("watch stopped", folder=folder, count=count))
