"""`gspace bundle export|import`: a few lines over gspace.sync.bundle. A bundle refused as a
whole ends with one line and exit 1 (nothing changed); changes held for a newer gspace or not
applied are listed one a line, and the closing summary counts everything."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gspace.store.incident import Incident


@click.group("bundle")
def bundle() -> None:
    """Carry an incident's changes and photos between laptops in a file (.gsb), no network."""


class _ProgressLine:
    """One line on stderr, rewritten in place, for a run long enough to need it (a terminal
    only: a log or a pipe gets the summary alone)."""

    WORDS = {
        "entries": "writing changes",
        "media": "copying photos",
        "verify": "checking photos",
        "apply": "merging changes",
    }

    def __init__(self) -> None:
        self.started, self.shown, self.last = time.monotonic(), False, 0.0
        self.live = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or now - self.started < 1 or now - self.last < 0.2:
            return
        self.last, self.shown = now, True
        amount = f"{done:,}/{total:,}" if total else f"{done:,}"
        if stage == "verify" and total:
            amount = f"{done / 1e6:,.0f}/{total / 1e6:,.0f} MB"
        click.echo(f"\r{self.WORDS.get(stage, stage)}: {amount}\x1b[K", err=True, nl=False)

    def close(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)


@bundle.command("export")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--since",
    metavar="LAST|DATE",
    help="LAST: only what changed since the last bundle this laptop exported; DATE "
    "(YYYY-MM-DD, or an ISO time): changes written since then; default: everything",
)
def bundle_export(incident: Path, out: Path, since: str | None) -> None:
    """Write the incident's changes, the photos they need, its name, time zone and layer kinds
    into a bundle file, to carry to another laptop (USB stick, shared folder).

    Giving everything is always safe: the receiving laptop skips what it already has.

    Example: gspace bundle export ~/incidents/kumamoto /media/usb/kumamoto-a.gsb --since LAST
    """
    from datetime import datetime

    from gspace.sync.bundle import export_bundle
    from gspace.sync.bundle_text import say

    if since and since.strip().upper() != "LAST":
        try:
            datetime.fromisoformat(since.strip())
        except ValueError:
            raise click.BadParameter(say("bad since", value=since), param_hint="--since") from None
    progress = _ProgressLine()
    with Incident.open(incident) as inc:
        try:
            summary = export_bundle(inc, out, since=since, progress=progress)
        finally:
            progress.close()
    for line in summary.lines():
        click.echo(line, err=True)


@bundle.command("import")
@click.argument("incident", type=click.Path(path_type=Path))
@click.argument("bundle_file", metavar="IN.gsb", type=click.Path(path_type=Path))
def bundle_import(incident: Path, bundle_file: Path) -> None:
    """Merge a bundle from another laptop into the incident: its changes, photos and layer
    kinds. A new empty incident (gspace init) joins the bundle's incident.

    The whole bundle is checked first: one cut short, altered, from another incident or naming
    files outside the incident is refused with one line and nothing changes. Importing the same
    bundle twice changes nothing. Changes written by a newer gspace are held and listed, and
    applied once gspace is updated.

    Example: gspace bundle import ~/incidents/kumamoto /media/usb/kumamoto-a.gsb
    """
    from gspace.errors import check_file
    from gspace.sync.bundle import import_bundle

    check_file(bundle_file)
    progress = _ProgressLine()
    with Incident.open(incident) as inc:
        try:
            summary = import_bundle(inc, bundle_file, progress=progress)
        finally:
            progress.close()
    for line in summary.lines():
        click.echo(line, err=True)
