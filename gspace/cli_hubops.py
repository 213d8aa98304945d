"""`gspace hub backup`, `gspace hub restore` and `gspace hub bundle import`: looking after a
hub's data (issue 17). Each is a few lines over gspace/hub/backup.py and
gspace/hub/bundle_import.py; cli_hub.py adds them to the `hub` group."""

from __future__ import annotations

from pathlib import Path

import click

from gspace.cli_options import HUB_DB
from gspace.errors import GspaceError

_DATA = click.option(
    "--data",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="the hub's folder",
)


def _echo(text: str) -> None:
    click.echo(f"gspace: {text}", err=True)


@click.command("backup")
@_DATA
@HUB_DB
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def backup(data: Path, db_url: str | None, out: Path) -> None:
    """Copy the hub (tokens, incidents, photos) into the folder OUT, consistently, while the
    hub may be running. Backing up into the same OUT again copies only the new photos. With
    --db the database is taken with pg_dump (PostgreSQL's client tools must be installed).

    Example: gspace hub backup --data /srv/gspace-hub /mnt/backup/gspace-hub
    """
    from gspace.hub.backup import backup as run

    result = run(data, out, progress=_echo, db=db_url or None)
    for line in result.skipped:
        _echo(line)
    click.echo(
        f"backed up {data} into {out}: {result.incidents} incident(s), {result.media} photo(s) "
        f"({result.media_copied} copied now, {result.bytes_copied:,} bytes), "
        f"{len(result.skipped)} skipped",
        err=True,
    )


@click.command("restore")
@_DATA
@HUB_DB
@click.argument("source", metavar="IN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="restore into a folder (or with --db a database) that is not empty, its hub stopped; "
    "what is there is moved into replaced-<time>/ (the schema replaced_<time>), not deleted",
)
def restore(data: Path, db_url: str | None, source: Path, force: bool) -> None:
    """Restore a hub from a backup folder IN (made by gspace hub backup) into DIR, a new or
    empty folder; a hub on PostgreSQL with --db into a new, empty database (pg_restore) and
    its photos into DIR. Every database and photo is checked against its SHA-256. Laptops that
    synced after the backup notice at their next sync and send again what the hub lost.

    Example: gspace hub restore --data /srv/gspace-hub /mnt/backup/gspace-hub
    """
    from gspace.hub.backup import restore as run

    if not source.is_dir():
        raise GspaceError(f"{source} is not a folder (give the folder gspace hub backup wrote)")
    result = run(source, data, force=force, progress=_echo, db=db_url or None)
    for line in result.skipped:
        _echo(line)
    click.echo(
        f"restored {source} into {data}: {result.incidents} incident(s), {result.media} "
        f"photo(s), {len(result.skipped)} left out; new epoch {result.epoch[:8]}",
        err=True,
    )


@click.group("bundle")
def bundle() -> None:
    """Bundles (.gsb) into the hub.

    Example: gspace hub bundle import --data /srv/gspace-hub --incident 熊本豪雨 a.gsb
    """


@bundle.command("import")
@_DATA
@HUB_DB
@click.option("--incident", "name", required=True, help="the hub incident (created if missing)")
@click.argument("bundle_file", metavar="IN.gsb", type=click.Path(path_type=Path))
def bundle_import(data: Path, db_url: str | None, name: str, bundle_file: Path) -> None:
    """Merge a bundle from a laptop into a hub incident, with the checks of gspace bundle
    import (a bad bundle is refused with one line and the hub stays as it was); laptops then
    pull its changes and photos at their next sync. It may run while the hub serves. With
    --db, into the hub whose state is in that PostgreSQL database (photos into DIR).

    Example: gspace hub bundle import --data /srv/gspace-hub --incident 熊本豪雨 a.gsb
    """
    from gspace.errors import check_file
    from gspace.hub.bundle_import import import_into_hub

    check_file(bundle_file)
    from gspace.hub.db import HUB_DB

    if not db_url and not (data / HUB_DB).is_file() and not (data / "replicas").is_dir():
        raise GspaceError(f"{data} is not a hub folder (no {HUB_DB})")
    summary = import_into_hub(data, name, bundle_file, db=db_url or None)
    for line in summary.lines():
        click.echo(line, err=True)


def add_commands(hub: click.Group) -> None:
    hub.add_command(backup)
    hub.add_command(restore)
    hub.add_command(bundle)
