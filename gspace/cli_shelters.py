"""`gspace shelters`: the HQ overview of every shelter's situation, a few lines over
gspace.shelters and gspace.export.shelter_lists."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gspace.cli_options import (
    MUNICIPALITY_OPTION,
    check_vocabulary,
    municipalities_named,
    split_values,
)
from gspace.export import LANGUAGES
from gspace.store.incident import Incident

# as gspace.export.shelter_lists has them (imported when the command runs: every gspace command
# loads this module, and a command's start must stay quick)
FORMATS = ("table", "csv", "json")
SORTS = ("municipality", "name", "status", "evacuees", "occupancy", "free", "age", "needs")


@click.command("shelters")
@click.argument("incident", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--stale",
    "stale_hours",
    type=click.FloatRange(min=0),
    help="flag shelters in operation whose last report is older than this many hours",
)
@MUNICIPALITY_OPTION
@click.option("--status", "statuses", multiple=True, help="not_opened, open, full, closed, unknown")
@click.option("--sort", "sort", type=click.Choice(SORTS), default="municipality", show_default=True)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="headers and codes as words in this language (default: codes)",
)
def shelters(
    incident: Path,
    fmt: str,
    stale_hours: float | None,
    municipalities: tuple[str, ...],
    statuses: tuple[str, ...],
    sort: str,
    lang: str | None,
) -> None:
    """Print every shelter's situation and the totals (HQ overview) to standard output.

    Each shelter: status, evacuees / capacity (%), free places, crowding, open needs (urgent
    ones marked !) and the age of its last report; then totals per municipality and for the
    incident (open shelters, evacuees, free places). CSV cells that would run as formulas get
    a ' in front. --stale 6 flags shelters in operation with no report for 6 hours.

    Example: gspace shelters ~/incidents/kumamoto --status open,full --sort occupancy --stale 6
    """
    from gspace.catalog import incident_catalog
    from gspace.export.shelter_lists import sorted_states, write_csv, write_json, write_table
    from gspace.shelters import KIND, STATUSES, need_keys, overview

    with Incident.open(incident, write=False) as inc:
        catalog = incident_catalog(inc.path)
        kind = catalog.get(KIND)
        known = tuple(s.id for s in kind.statuses) if kind else STATUSES
        wanted = check_vocabulary("status", split_values(statuses), known)
        view = overview(
            inc,
            stale_hours=stale_hours,
            catalog=catalog,
            municipalities=municipalities_named(municipalities) or None,
            statuses=wanted or None,
        )
    states = sorted_states(view.shelters, sort)
    out = sys.stdout
    out.reconfigure(encoding="utf-8", newline="")
    if fmt == "table":
        write_table(out, view, states, lang, kind)
    elif fmt == "csv":
        write_csv(out, states, lang, kind, need_keys(kind))
    else:
        write_json(out, view, states, lang, kind)
    t = view.total
    click.echo(
        f"{t.shelters} shelters: {t.open} open, {t.evacuees} evacuees, {t.free} free places"
        + (f", {t.stale} stale" if t.stale else ""),
        err=True,
    )
