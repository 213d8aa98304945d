"""Commands for working with other laptops' changes: `report set` (triage from a script, the
same edit the window makes) and `conflicts` (list and settle what two devices changed at
once, gspace.sync.conflicts). Each is a few lines over the core; registered by cli.py."""

from __future__ import annotations

from pathlib import Path

import click

from gspace.cli_options import resolve_ref
from gspace.errors import GspaceError
from gspace.incident import Incident
from gspace.refs import describe

# -- report set ----------------------------------------------------------------------------


@click.group()
def report() -> None:
    """Change reports."""


@report.command("set")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("report_ref", metavar="REF")
@click.option("--status", help="new, verified, actioned, rejected or duplicate")
@click.option("--category", help='one or more of rescue, fire, ... joined by commas; "" for none')
@click.option("--severity", help='low, normal or high; "" for none')
@click.option("--note", help='free text, e.g. who checked and what was done; "" removes it')
def report_set(
    incident: Path,
    report_ref: str,
    status: str | None,
    category: str | None,
    severity: str | None,
    note: str | None,
) -> None:
    """Set a report's status, category, severity or note (goes through the change log with
    your login name, like an edit in the window, and can be seen in its history).

    REF is the report's reference as the window, maps and lists show it (K7M4-QX2P-ZA9B), or
    its start if no other report's begins the same (k7m4), or the full id. A value that is
    already the report's changes nothing.

    Example: gspace report set ~/incidents/kumamoto K7M4-QX2P --status verified --note "現地確認"
    """
    from gspace import triage

    given = {"status": status, "category": category, "severity": severity, "note": note}
    if all(v is None for v in given.values()):
        raise click.UsageError("give at least one of --status, --category, --severity, --note")
    fields = {}
    for name, value in given.items():
        try:
            fields |= triage.typed_fields(**{name: value})
        except GspaceError as e:
            raise click.BadParameter(str(e), param_hint=f"--{name}") from None
    with Incident.open(incident) as inc:
        report_id = resolve_ref(inc, "reports", report_ref)
        changed = triage.apply(inc, {report_id: fields}).get(report_id, {})
        [shown] = describe(inc.conn, "reports", [report_id])
    changed.pop("observed_ts", None)
    click.echo(
        f"{shown}: " + (", ".join(sorted(changed)) + " changed" if changed else "nothing changed"),
        err=True,
    )
