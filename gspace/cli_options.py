"""The options and arguments that several commands share (report filters, --municipality,
--lang, layer kinds, a REF) and how they become a `query.ReportFilter` or an id: a bad value is
a usage error naming the option and what it accepts."""

from __future__ import annotations

import click

from gspace.catalog import incident_catalog
from gspace.errors import GspaceError
from gspace.export import LANGUAGES
from gspace.model import CATEGORIES, REPORT_KINDS, REPORT_STATUSES
from gspace.refs import MalformedRef, resolve
from gspace.store import query
from gspace.store.incident import Incident


def split_values(values: tuple[str, ...]) -> list[str]:
    """`--kind a --kind b` and `--kind a,b` mean the same."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def check_vocabulary(name: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} (use {', '.join(allowed)})", param_hint=f"--{name}"
        )
    return values


def check_layer_kinds(
    name: str, values: list[str], incident: Incident, catalog: dict | None = None
) -> list[str]:
    """Layer kinds must be in the catalog or present in the incident (a typo such as
    `shelterz` would otherwise silently select nothing)."""
    catalog = incident_catalog(incident.path) if catalog is None else catalog
    known = tuple(sorted(set(catalog) | set(query.feature_counts(incident))))
    return check_vocabulary(name, values, known)


def municipalities_named(values: tuple[str, ...]) -> list[str]:
    """The codes of the municipalities `--municipality` names (a city with wards: all of
    them); an unknown or ambiguous name is a usage error listing the candidates."""
    from gspace.municipalities import find

    codes: list[str] = []
    for value in split_values(values):
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
        kinds=check_vocabulary("kind", split_values(kinds), REPORT_KINDS),
        categories=check_vocabulary("category", split_values(categories), CATEGORIES),
        statuses=check_vocabulary("status", split_values(statuses), REPORT_STATUSES),
        since=query.parse_time(since, incident.timezone) if since else None,
        until=query.parse_time(until, incident.timezone) if until else None,
        bbox=query.parse_bbox(bbox) if bbox else None,
        search=search,
        located=None if located is None else located == "yes",
        municipalities=municipalities_named(municipalities),
    )


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="name codes in this language: CSV headers and cells become labels, GeoJSON and "
    "JSON Lines get a <code>_label beside each code (default: codes only)",
)


def resolve_ref(inc: Incident, table: str, text: str) -> str:
    """The id a command's REF argument names (gspace.refs.resolve); text that cannot be a
    reference at all is a usage error (exit 2), one that finds none or several exits 1."""
    try:
        return resolve(inc.conn, table, text)
    except MalformedRef as e:
        raise click.BadParameter(str(e), param_hint="REF") from None


# the hub commands' --db: a hub whose state is in PostgreSQL
HUB_DB = click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="GSPACE_HUB_DB",
    help="the hub's PostgreSQL database, when it runs with one (hub serve --db; or the "
    "environment's GSPACE_HUB_DB)",
)
