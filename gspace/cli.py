"""The `gspace` command: a few lines over the core for each command (DESIGN.md, "Command line").

Exit status: 0 done; 1 could not (one line on stderr, no traceback unless --debug, nothing
changed); 2 usage error; 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import signal
import sys
import threading


def _exit_quietly(_signum, _frame) -> None:
    """Ctrl-C while the command is still loading (its imports take a moment): exit as
    interrupted, with no traceback and nothing done."""
    sys.exit(130)


# only while this module loads, and only where Python's own handler is in place (the console
# script's main thread, not a program that imported gspace.cli and set its own)
_LOADING = (
    threading.current_thread() is threading.main_thread()
    and signal.getsignal(signal.SIGINT) is signal.default_int_handler
)
if _LOADING:
    signal.signal(signal.SIGINT, _exit_quietly)

import os
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import click

from gspace import __version__, query, records
from gspace.catalog import incident_catalog
from gspace.errors import (
    GspaceError,
    IncidentError,
    Interrupted,
    check_file,
    file_message,
    message,
)
from gspace.export import LANGUAGES, PAPERS
from gspace.export.files import FORMATS, Vocabulary, write_features, write_reports
from gspace.export.profile import PROFILES, Profile
from gspace.incident import STORE, Incident
from gspace.ingest.interrupt import Interruptible, interrupted
from gspace.model import CATEGORIES, REPORT_KINDS, REPORT_STATUSES
from gspace.refs import MalformedRef, describe, resolve

if _LOADING:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _split(values: tuple[str, ...]) -> list[str]:
    """`--kind a --kind b` and `--kind a,b` mean the same."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _check_vocabulary(name: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} (use {', '.join(allowed)})", param_hint=f"--{name}"
        )
    return values


def _check_layer_kinds(
    name: str, values: list[str], incident: Incident, catalog: dict | None = None
) -> list[str]:
    """Layer kinds must be in the catalog or present in the incident (a typo such as
    `shelterz` would otherwise silently select nothing)."""
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    known = tuple(sorted(set(catalog) | set(query.feature_counts(incident))))
    return _check_vocabulary(name, values, known)


def _municipalities(values: tuple[str, ...]) -> list[str]:
    """The codes of the municipalities `--municipality` names (a city with wards: all of
    them); an unknown or ambiguous name is a usage error listing the candidates."""
    from gspace.municipalities import find

    codes: list[str] = []
    for value in _split(values):
        try:
            codes += [m.code for m in find(value) if m.code not in codes]
        except GspaceError as e:
            raise click.BadParameter(str(e), param_hint="--municipality") from None
    return codes


MUNICIPALITY_OPTION = click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="code or name, e.g. 43102, 熊本市東区, 北海道伊達市, 熊本市 (all its wards)",
)


def report_filters(command):
    """The filter options shared by every command that reads reports."""
    options = [
        click.option("--kind", "kinds", multiple=True, help="photo, sns, volunteer, manual"),
        click.option("--category", "categories", multiple=True, help="e.g. rescue,fire"),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            help="new, verified, actioned, rejected, duplicate",
        ),
        click.option("--since", help="observed at or after (ISO date or time)"),
        click.option("--until", help="observed at or before (ISO date or time)"),
        click.option("--bbox", help="W,S,E,N in degrees"),
        click.option("--search", help="words that must occur in the text or author"),
        click.option(
            "--located",
            type=click.Choice(["yes", "no"]),
            help="only reports with (yes) or without (no) a location",
        ),
        MUNICIPALITY_OPTION,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_filter(
    incident: Incident,
    kinds=(),
    categories=(),
    statuses=(),
    since=None,
    until=None,
    bbox=None,
    search=None,
    located=None,
    municipalities=(),
) -> query.ReportFilter:
    return query.ReportFilter(
        kinds=_check_vocabulary("kind", _split(kinds), REPORT_KINDS),
        categories=_check_vocabulary("category", _split(categories), CATEGORIES),
        statuses=_check_vocabulary("status", _split(statuses), REPORT_STATUSES),
        since=query.parse_time(since, incident.timezone) if since else None,
        until=query.parse_time(until, incident.timezone) if until else None,
        bbox=query.parse_bbox(bbox) if bbox else None,
        search=search,
        located=None if located is None else located == "yes",
        municipalities=_municipalities(municipalities),
    )


def _stdout():
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    return sys.stdout


def _run_gui(path: Path | None, screenshot: str | None, lang: str | None) -> int:
    from gspace.gui.app import run  # Qt loads only for the commands that show a window

    return run(path, screenshot=Path(screenshot) if screenshot else None, lang=lang)


gui_options = [
    click.option(
        "--screenshot",
        type=click.Path(dir_okay=False),
        help="save the window as PNG once the map has drawn, then quit",
    ),
    click.option("--lang", type=click.Choice(["ja", "en"]), help="language of the window"),
]


def with_gui_options(command):
    for option in reversed(gui_options):
        command = option(command)
    return command


@click.group(invoke_without_command=True)
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.version_option(__version__, prog_name="gspace")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """gspace: collect disaster reports, see them on a map with shelters, water and Wi-Fi,
    triage them and share maps — offline first.

    With no command, opens the desktop app on the last incident (or a chooser).
    """
    if ctx.invoked_subcommand is None:
        ctx.exit(_run_gui(None, None, None))


@cli.command("open")
@click.argument("incident", type=click.Path(path_type=Path))
@with_gui_options
def open_(incident: Path, screenshot: str | None, lang: str | None) -> None:
    """Open the desktop app on an incident folder.

    Example: gspace open ~/incidents/kumamoto
    """
    Incident.open(incident).close()  # fail here, with one line, before a window appears
    sys.exit(_run_gui(incident, screenshot, lang))


@cli.command()
@click.argument("incident", required=False, type=click.Path(path_type=Path))
@click.option("--no-gui", is_flag=True, help="only create the incident")
@with_gui_options
def demo(incident: Path | None, no_gui: bool, screenshot: str | None, lang: str | None) -> None:
    """Create an incident with fictional sample data (and open it).

    Without INCIDENT the demo lives in your gspace data folder and is reused on later runs.

    Example: gspace demo /tmp/demo --no-gui
    """
    from gspace.demo import default_path, make_demo

    incident = incident or default_path()
    if (incident / STORE).exists():
        Incident.open(incident).close()
        click.echo(f"opening the existing demo incident {incident}", err=True)
    else:
        if incident.exists() and any(incident.iterdir()):
            raise IncidentError(f"{incident} is not empty; give a new folder for the demo")
        with make_demo(incident) as created:
            click.echo(
                f"created {created.name} in {incident}: "
                f"{query.count_reports(created)} reports, "
                f"{sum(query.feature_counts(created).values())} features",
                err=True,
            )
    if not no_gui:
        sys.exit(_run_gui(incident, screenshot, lang))


@cli.command()
@click.argument("incident", type=click.Path(path_type=Path))
@click.option("--name", help="the incident's name (default: the folder name)")
@click.option(
    "--timezone", default="Asia/Tokyo", show_default=True, help="time zone in which times are shown"
)
def init(incident: Path, name: str | None, timezone: str) -> None:
    """Create an empty incident folder.

    Example: gspace init ~/incidents/kumamoto --name "熊本地震 2026"
    """
    from zoneinfo import ZoneInfoNotFoundError

    try:
        Incident.create(incident, name=name, timezone=timezone).close()
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {timezone!r}", param_hint="--timezone"
        ) from None
    click.echo(f"created incident {incident}", err=True)


@cli.group("import")
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
    check_file(file)
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


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="name codes in this language: CSV headers and cells become labels, GeoJSON and "
    "JSON Lines get a <code>_label beside each code (default: codes only)",
)


@cli.command()
@click.argument("incident", type=click.Path(path_type=Path))
@report_filters
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson", show_default=True)
@LANG_OPTION
def reports(incident: Path, fmt: str, lang: str | None, **filters) -> None:
    """Print reports to standard output.

    CSV is for spreadsheets: cells that would run as formulas get a ' in front and times are
    in the incident's time zone; GeoJSON and JSON Lines keep every text as received.

    Example: gspace reports ~/incidents/kumamoto --category rescue --status new --format csv
    """
    with Incident.open(incident, write=False) as inc:
        vocabulary = Vocabulary(lang, inc.timezone, incident_catalog(inc.path))
        rows = query.reports(inc, build_filter(inc, **filters))
        count = write_reports(_stdout(), rows, fmt, vocabulary)
    click.echo(f"{count} reports", err=True)


@cli.command()
@click.argument("incident", type=click.Path(path_type=Path))
@click.option("--kind", "kinds", multiple=True, help="layer kind, e.g. shelter,water")
@click.option("--bbox", help="W,S,E,N in degrees")
@MUNICIPALITY_OPTION
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson", show_default=True)
@LANG_OPTION
def features(
    incident: Path,
    kinds: tuple[str, ...],
    bbox: str | None,
    municipalities: tuple[str, ...],
    fmt: str,
    lang: str | None,
) -> None:
    """Print reference-layer features to standard output.

    Example: gspace features ~/incidents/kumamoto --kind shelter --format csv
    """
    with Incident.open(incident, write=False) as inc:
        catalog = incident_catalog(inc.path)
        wanted = _check_layer_kinds("kind", _split(kinds), inc, catalog)
        rows = query.features(
            inc,
            wanted,
            query.parse_bbox(bbox) if bbox else None,
            _municipalities(municipalities),
        )
        count = write_features(_stdout(), rows, fmt, Vocabulary(lang, inc.timezone, catalog))
    click.echo(f"{count} features", err=True)


@cli.command("export")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@report_filters
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="internal",
    show_default=True,
    help="public: no authors or handles, no photo EXIF, no rejected reports, rescue "
    "requests placed to ~100 m",
)
@click.option("--title", help="the map's title (default: the incident's name)")
@click.option(
    "--layer",
    "layers",
    multiple=True,
    help="reference-layer kinds to include, e.g. shelter,water (default: all; 'none': none)",
)
@click.option("--paper", type=click.Choice(PAPERS), default="a3", show_default=True)
@click.option("--lang", type=click.Choice(LANGUAGES), default="ja", show_default=True)
@click.option(
    "--extent",
    "area",
    default="reports",
    show_default=True,
    help="the area a map opens on: reports (where most reports are; far outliers are left "
    "out and counted), all (every report and feature), or W,S,E,N in degrees",
)
def export_(
    incident: Path,
    out: Path,
    profile: str,
    title: str | None,
    layers: tuple[str, ...],
    paper: str,
    lang: str,
    area: str,
    **filters,
) -> None:
    """Write a shared map or file of the filtered reports; the format is OUT's suffix.

    .html (web map that opens offline), .gpkg (GeoPackage with photos), .geojson, .kml,
    .kmz (with photos), .csv (UTF-8 with BOM, for Excel), .pdf and .png (printed map
    with legend, scale and a list of the reports; --paper a4|a3).

    Example: gspace export ~/incidents/kumamoto map.html --category rescue --profile public
    """
    from gspace.export import ExportJob, export
    from gspace.extent import parse_extent

    kinds = _split(layers)
    extent = parse_extent(area)
    with Incident.open(incident, write=False) as inc:
        _check_layer_kinds("layer", [k for k in kinds if k != "none"], inc)
        job = export(
            ExportJob(
                inc,
                out,
                filt=build_filter(inc, **filters),
                profile=Profile(profile),
                title=title or "",
                layers=None if not kinds else [k for k in kinds if k != "none"],
                paper=paper,
                lang=lang,
                extent=extent,
            )
        )
    unlocated = f" ({job.unlocated} without a location left out)" if job.unlocated else ""
    click.echo(
        f"wrote {out}: {job.reports_written} reports{unlocated}, {job.features_written} features",
        err=True,
    )
    if job.outliers:
        click.echo(
            f"{job.outliers} reports lie far outside the map's area and are not in its first "
            "view (--extent all frames them too)",
            err=True,
        )


@cli.group()
def feature() -> None:
    """Change reference-layer features."""


@feature.command("set")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("feature_ref", metavar="REF")
@click.option("--status", help="a status of the feature's kind, e.g. open, full, closed")
@click.option("--note", help="free text, e.g. current occupancy or hours")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="set an attribute, typed as the kind says (capacity=800 is a number); NAME= removes it",
)
def feature_set(
    incident: Path, feature_ref: str, status: str | None, note: str | None, fields: tuple[str, ...]
) -> None:
    """Set a feature's status, note or attributes (goes through the change log).

    REF is the feature's reference as the window, maps and lists show it (K7M4-QX2P-ZA9B), or
    its start if no other feature's begins the same (k7m4), or the full id.

    Example: gspace feature set ~/incidents/kumamoto K7M4-QX2P --status full --note "残り0人分"
    """
    from gspace.catalog import set_fields

    updates = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--field")
        updates[name] = value
    with Incident.open(incident) as inc:
        feature_id = resolve_ref(inc, "features", feature_ref)
        current = next((f for f in query.features(inc) if f["id"] == feature_id), None)
        if current is None:
            raise GspaceError(f"no feature with id {feature_id}")
        changes: dict = {}
        kind = incident_catalog(inc.path).get(current["kind"])
        if status is not None:
            if kind and kind.statuses and not kind.status(status):
                allowed = ", ".join(s.id for s in kind.statuses)
                raise GspaceError(
                    f"{status!r} is not a status of {current['kind']} (use {allowed})"
                )
            changes["status"] = status
        if note is not None:
            changes["note"] = note
        if updates:
            changes["attributes"] = set_fields(current["attributes"], updates, kind)
        with inc.transaction():
            changed = records.update_feature(inc, feature_id, **changes)
        [shown] = describe(inc.conn, "features", [feature_id])
    click.echo(
        f"{shown}: " + (", ".join(sorted(changed)) + " changed" if changed else "nothing changed"),
        err=True,
    )


def resolve_ref(inc: Incident, table: str, text: str) -> str:
    """The id a command's REF argument names (gspace.refs.resolve); text that cannot be a
    reference at all is a usage error (exit 2), one that finds none or several exits 1."""
    try:
        return resolve(inc.conn, table, text)
    except MalformedRef as e:
        raise click.BadParameter(str(e), param_hint="REF") from None


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="gspace", standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C outside an import (click turns it into Abort)
        click.echo(f"gspace: {message('interrupted plain')}", err=True)
        code = 130
    except Interrupted as e:
        click.echo(f"gspace: {e}", err=True)
        code = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C
    except click.ClickException as e:
        e.show()
        code = e.exit_code
    except (GspaceError, sqlite3.DatabaseError, OSError) as e:
        if debug:
            raise
        text = str(e)
        if isinstance(e, sqlite3.DatabaseError):
            text = f"the incident's store cannot be read or written: {e}"
        elif isinstance(e, OSError):
            text = file_message(e)
        click.echo(f"gspace: {text}", err=True)
        code = 1
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
