"""The `gspace` command: a few lines over the core for each command (DESIGN.md, "Command line").

Exit status: 0 done; 1 could not (one line on stderr, no traceback unless --debug, nothing
changed); 2 usage error; 130 stopped by Ctrl-C. The options several commands share are in
cli_options.py, the `import` commands in cli_import.py.
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

import sqlite3
from pathlib import Path

import click

from gspace import __version__
from gspace.catalog import incident_catalog
from gspace.cli_bundle import bundle
from gspace.cli_history import feature_delete, history, layer, report_delete
from gspace.cli_hub import hub
from gspace.cli_hub import sync as hub_sync
from gspace.cli_import import import_
from gspace.cli_options import (
    LANG_OPTION,
    MUNICIPALITY_OPTION,
    build_filter,
    check_layer_kinds,
    municipalities_named,
    report_filters,
    resolve_ref,
    split_values,
)
from gspace.cli_shelters import shelters
from gspace.cli_sync import conflicts, report
from gspace.cli_volunteer import cert as hub_cert
from gspace.cli_volunteer import invite as hub_invite
from gspace.errors import GspaceError, IncidentError, Interrupted, file_message, message
from gspace.export import LANGUAGES, PAPERS
from gspace.export.files import FORMATS, Vocabulary, write_features, write_reports
from gspace.export.profile import PROFILES, Profile
from gspace.refs import describe
from gspace.store import query
from gspace.store.incident import STORE, Incident

if _LOADING:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


cli.add_command(import_)  # photos, sns, gazetteer, layer, status: gspace/cli_import.py
cli.add_command(shelters)  # the HQ overview: gspace/cli_shelters.py
cli.add_command(bundle)  # export, import: gspace/cli_bundle.py
cli.add_command(hub)  # the HQ hub: gspace/cli_hub.py
cli.add_command(hub_sync)  # `gspace sync` with a hub: gspace/cli_hub.py
hub.add_command(hub_invite)  # `gspace hub invite`: links for volunteers' phones
hub.add_command(hub_cert)  # `gspace hub cert`: a local CA for HTTPS to phones


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
        wanted = check_layer_kinds("kind", split_values(kinds), inc, catalog)
        rows = query.features(
            inc,
            wanted,
            query.parse_bbox(bbox) if bbox else None,
            municipalities_named(municipalities),
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
    "--handout",
    type=click.Choice(["shelters", "needs"]),
    help="instead of the map: the open shelters (list and map: .pdf, .png, .csv) or the needs "
    "per shelter (.pdf, .csv)",
)
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
    handout: str | None,
    **filters,
) -> None:
    """Write a shared map or file of the filtered reports; the format is OUT's suffix.

    .html (web map that opens offline), .gpkg (GeoPackage with photos), .geojson, .kml,
    .kmz (with photos), .csv (UTF-8 with BOM, for Excel), .pdf and .png (printed map
    with legend, scale and a list of the reports; --paper a4|a3).

    --handout shelters writes the open shelters (map and numbered list with free places and
    phone; A4/A3) and --handout needs the needs per shelter, urgent first, for logistics.

    Example: gspace export ~/incidents/kumamoto map.html --category rescue --profile public
    """
    from gspace.export import ExportJob, export
    from gspace.extent import parse_extent

    kinds = split_values(layers)
    extent = parse_extent(area)
    with Incident.open(incident, write=False) as inc:
        check_layer_kinds("layer", [k for k in kinds if k != "none"], inc)
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
                handout=handout,
            )
        )
    if handout:
        click.echo(f"wrote {out}: the {handout} hand-out", err=True)
        return
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

    A shelter's or water point's time of last report (reported_at) becomes now, unless
    --field reported_at=... gives it.

    REF is the feature's reference as the window, maps and lists show it (K7M4-QX2P-ZA9B), or
    its start if no other feature's begins the same (k7m4), or the full id.

    Example: gspace feature set ~/incidents/kumamoto K7M4-QX2P --status full --note "残り0人分"
    """
    from gspace.shelters import set_situation

    updates = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--field")
        updates[name] = value
    with Incident.open(incident) as inc:
        feature_id = resolve_ref(inc, "features", feature_ref)
        undo = set_situation(inc, feature_id, status, updates, note)
        changed = set(undo.get("fields", {})) | (undo.keys() - {"fields"})
        [shown] = describe(inc.conn, "features", [feature_id])
    click.echo(
        f"{shown}: " + (", ".join(sorted(changed)) + " changed" if changed else "nothing changed"),
        err=True,
    )


cli.add_command(report)  # report set: gspace/cli_sync.py
cli.add_command(conflicts)  # conflicts, conflicts settle: gspace/cli_sync.py
feature.add_command(feature_delete)  # feature delete: gspace/cli_history.py
report.add_command(report_delete)  # report delete: gspace/cli_history.py
cli.add_command(layer)  # layer list, layer delete: gspace/cli_history.py
cli.add_command(history)  # history, history revert: gspace/cli_history.py


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
