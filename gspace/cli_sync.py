"""Commands for working with other laptops' changes: `report set` (triage from a script, the
same edit the window makes) and `conflicts` (list and settle what two devices changed at
once, gspace.sync.conflicts). Each is a few lines over the core; registered by cli.py."""

from __future__ import annotations

from pathlib import Path

import click

from gspace.cli_options import resolve_ref
from gspace.errors import GspaceError
from gspace.refs import describe
from gspace.store.incident import Incident

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


# -- conflicts ---------------------------------------------------------------------------


class _ListByDefault(click.Group):
    """`gspace conflicts INCIDENT` lists (the `list` command); `gspace conflicts settle ...`
    settles. Anything that is not a command's name starts the list."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ListByDefault)
def conflicts() -> None:
    """List and settle conflicts: a field that two devices changed at once (or a row one
    deleted while another edited it). `gspace conflicts INCIDENT` lists them."""


@conflicts.command("list")
@click.argument("incident", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--all", "everything", is_flag=True, help="settled conflicts too")
def conflicts_list(incident: Path, fmt: str, everything: bool) -> None:
    """List the open conflicts (the word `list` may be left out): per conflict its id, the
    report or feature (reference and the start of its text or name), the field, and each
    competing value numbered, with who wrote it (name and device) and when, in the incident's
    time zone.

    Example: gspace conflicts ~/incidents/kumamoto
    """
    import json

    from gspace.conflict_list import as_json, shown_conflicts, table

    with Incident.open(incident, write=False) as inc:
        found = shown_conflicts(inc, include_settled=everything)
    out = click.get_text_stream("stdout", encoding="utf-8")
    if fmt == "json":
        out.write(json.dumps(as_json(found), ensure_ascii=False, indent=1) + "\n")
    elif found:
        out.write(table(found) + "\n")
    count = len(found)
    click.echo(
        f"{count} conflict{'' if count == 1 else 's'}{'' if everything else ' open'}", err=True
    )


@conflicts.command("settle")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("conflict_id", metavar="ID")
@click.option("--take", type=int, metavar="N", help="keep value number N of the listing")
@click.option("--value", metavar="V", help='set this value instead ("" for none)')
def conflicts_settle(incident: Path, conflict_id: str, take: int | None, value: str | None) -> None:
    """Settle a conflict: keep one of its values (--take N, numbered as listed) or another
    (--value V). The choice is a new change that syncs like any other, so every laptop ends
    with the conflict settled the same way. ID may be the start of the id if no other
    conflict's begins the same.

    Example: gspace conflicts settle ~/incidents/kumamoto 3f2a9c1b --take 2
    """
    from gspace.conflict_list import find, settle_text, value_text

    if (take is None) == (value is None):
        raise click.UsageError("give --take N or --value V (one of them)")
    with Incident.open(incident) as inc:
        conflict = find(inc, conflict_id)
        with inc.transaction():
            settle_text(inc, conflict, take=take, value=value)
    chosen = value_text(conflict.choices[take - 1].value) if take else value_text(value or None)
    if take and conflict.kind == "delete":
        choice = conflict.choices[take - 1]
        chosen = "kept deleted" if choice.deleted else f"restored with {chosen}"
    click.echo(f"{conflict.short} {conflict.row} {conflict.field}: settled as {chosen}", err=True)
