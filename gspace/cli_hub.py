"""`gspace hub serve|token …` (running the HQ hub) and `gspace sync` (a laptop syncing with it).

The hub's packages (FastAPI, uvicorn) load only for `hub serve`; `sync` needs httpx, which
the `hub` extra installs (`pip install gspace[hub]`).
"""

from __future__ import annotations

import ipaddress
import sys
import time
from pathlib import Path

import click

from gspace.cli_options import HUB_DB
from gspace.errors import GspaceError

ROLES = ("admin", "analyst", "officer", "volunteer")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group()
def hub() -> None:
    """Run the HQ hub that laptops sync with (issue 17).

    Example: gspace hub serve --data /srv/gspace-hub
    """


@hub.command("serve")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="the hub's folder (hub.sqlite, incidents, photos)",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="GSPACE_HUB_DB",
    help="keep the hub's state in PostgreSQL (postgresql://USER@HOST/DB) instead of DIR, so "
    "several hub processes or hosts share it (default: hub.sqlite in DIR; or the "
    "environment's GSPACE_HUB_DB)",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="hub processes serving this port (more than one needs --db)",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8780, show_default=True, type=int)
@click.option(
    "--tls-cert", type=click.Path(dir_okay=False, exists=True), help="certificate (PEM) for HTTPS"
)
@click.option(
    "--tls-key", type=click.Path(dir_okay=False, exists=True), help="its private key (PEM)"
)
@click.option(
    "--insecure-http",
    is_flag=True,
    help="allow plain HTTP on an address other than loopback (tokens travel in clear)",
)
def serve(
    data: Path,
    db_url: str | None,
    workers: int,
    host: str,
    port: int,
    tls_cert: str | None,
    tls_key: str | None,
    insecure_http: bool,
) -> None:
    """Serve the hub over HTTP(S) until stopped (Ctrl-C).

    Plain HTTP is allowed on loopback only, unless --insecure-http is given. With --db (e.g.
    --db postgresql://gspace@localhost/gspace_hub --workers 4) the state is in PostgreSQL: any
    number of hub processes (--workers, or other hosts) on the same database and the same DIR
    (a shared folder for the photos) serve the same hub.

    Example: gspace hub serve --data /srv/hub --host 0.0.0.0 --tls-cert hub.pem --tls-key hub.key
    """
    if workers > 1 and not db_url:
        raise click.UsageError(
            "--workers above 1 needs --db postgresql://… (hub.sqlite has one writer)"
        )
    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("give both --tls-cert and --tls-key")
    if not tls_cert and not _loopback(host):
        if not insecure_http:
            raise GspaceError(
                f"refusing plain HTTP on {host}: tokens would travel in clear; give --tls-cert "
                "and --tls-key, or --insecure-http on a network you trust"
            )
        click.echo(
            f"gspace: warning: plain HTTP on {host}: tokens and data travel in clear", err=True
        )
    try:
        import uvicorn

        from gspace.hub.app import asgi_app
        from gspace.hub.logs import log_config
    except ImportError:
        raise GspaceError("the hub needs its packages: pip install 'gspace[hub]'") from None
    if db_url:  # reachable and migrated before any process starts (one line if not)
        _db(data, db_url).close()
    options = {}
    if workers > 1:  # uvicorn's workers import the app by name: it reads the environment
        import os

        os.environ["GSPACE_HUB_DATA"] = str(data)
        os.environ["GSPACE_HUB_DB"] = db_url or ""
        app = "gspace.hub.app:asgi_app_from_env"
        options = {"factory": True, "workers": workers}
    else:
        app = asgi_app(data, db=db_url)
    scheme = "https" if tls_cert else "http"
    where = f"{data}, state in PostgreSQL, {workers} process(es)" if db_url else str(data)
    click.echo(f"gspace hub: serving {where} on {scheme}://{host}:{port}", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
        log_level="info",
        log_config=log_config(),  # no invite secret in the access log
        server_header=False,
        **options,
    )


@hub.group("token")
def token() -> None:
    """Create, list and revoke the hub's tokens.

    Example: gspace hub token list --data /srv/gspace-hub
    """


def _db(data: Path, url: str | None = None):
    if url:
        try:
            from gspace.hub.pg_db import PgHubDB, check_url
        except ImportError:
            raise GspaceError("the hub needs its packages: pip install 'gspace[hub]'") from None
        return PgHubDB(check_url(url))
    from gspace.hub.db import HubDB

    return HubDB(data)


@token.command("create")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@HUB_DB
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="who uses it (recorded as the actor of changes)")
@click.option("--incident", help="the hub incident it may use (needed for officer, volunteer)")
@click.option(
    "--expires",
    type=click.FloatRange(min=0, min_open=True),
    help="days until it expires (default: never)",
)
def token_create(
    data: Path,
    db_url: str | None,
    role: str,
    name: str,
    incident: str | None,
    expires: float | None,
) -> None:
    """Create a token and print it once (only its hash is kept).

    Example: gspace hub token create --data /srv/hub --role officer --name 田中 --incident 熊本豪雨
    """
    db = _db(data, db_url)
    try:
        text = db.create_token(role, name, incident, expires)
    finally:
        db.close()
    click.echo(text)
    click.echo(
        "gspace: the token is shown only now; give it to its user over a safe channel", err=True
    )


@token.command("list")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@HUB_DB
def token_list(data: Path, db_url: str | None) -> None:
    """List the tokens (id, role, name, incident, state); never the tokens themselves.

    Example: gspace hub token list --data /srv/gspace-hub
    """
    db = _db(data, db_url)
    try:
        now = time.time()
        for t in db.tokens():
            state = (
                "revoked" if t.revoked else "expired" if t.expires and t.expires <= now else "live"
            )
            expires = time.strftime("%Y-%m-%d", time.localtime(t.expires)) if t.expires else "-"
            click.echo(f"{t.id}\t{t.role}\t{t.name}\t{t.incident or '*'}\t{state}\t{expires}")
    finally:
        db.close()


@token.command("revoke")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@HUB_DB
@click.argument("token_id", type=int)
def token_revoke(data: Path, db_url: str | None, token_id: int) -> None:
    """Revoke a token by its id (from `gspace hub token list`); it stops working at once.

    Example: gspace hub token revoke --data /srv/gspace-hub 3
    """
    db = _db(data, db_url)
    try:
        if not db.revoke(token_id):
            raise GspaceError(f"no live token {token_id}")
    finally:
        db.close()
    click.echo(f"revoked {token_id}", err=True)


@click.command("sync")
@click.argument("incident", type=click.Path(path_type=Path))
@click.option("--hub", "url", help="the hub's address, e.g. https://hub.example:8780")
@click.option("--token", "token_text", help="the token from the hub's administrator")
@click.option("--hub-incident", help="the incident's name on the hub (default: its own name)")
@click.option("--no-photos", is_flag=True, help="sync the changes only, not the photos")
def sync(
    incident: Path,
    url: str | None,
    token_text: str | None,
    hub_incident: str | None,
    no_photos: bool,
) -> None:
    """Sync an incident with the HQ hub: send this laptop's changes, receive the others',
    then move the photos either side lacks. The hub, its incident name and the token are
    remembered (the token in the keyring, or a file only you can read, never in the incident).

    Example: gspace sync kumamoto --hub https://hub.example:8780 --token TOKEN
    """
    from gspace.store.incident import Incident
    from gspace.sync import credentials
    from gspace.sync.hub_messages import say

    try:
        from gspace.sync.client import SyncError, get_meta
        from gspace.sync.client import sync as run
    except ImportError:
        raise GspaceError("gspace sync needs httpx: pip install 'gspace[hub]'") from None

    inc = Incident.open(incident)
    try:
        url = (url or get_meta(inc, "hub_url") or "").rstrip("/")
        if not url:
            raise GspaceError(say("no hub"))
        hub_incident = hub_incident or get_meta(inc, "hub_incident") or inc.name
        if token_text:
            credentials.save(url, token_text)
        token_text = token_text or credentials.load(url)
        if not token_text:
            raise GspaceError(say("no token", url=url))
        with inc.transaction():
            inc.db["meta"].upsert({"key": "hub_url", "value": url}, pk="key")
            inc.db["meta"].upsert({"key": "hub_incident", "value": hub_incident}, pk="key")
        try:
            summary = run(
                inc,
                url,
                token_text,
                hub_incident,
                media=not no_photos,
                progress=lambda text: click.echo(text, err=True),
            )
        except SyncError as e:
            raise GspaceError(str(e)) from None
        if summary.hub_restored:
            click.echo("gspace: " + say("restored"), err=True)
        if summary.restamped:
            click.echo(
                "gspace: "
                + say("clock", hours=summary.clock_ahead_ms / 3_600_000, count=summary.restamped),
                err=True,
            )
        elif summary.clock_offset_ms > 60_000:  # nothing restamped yet, but it would be
            click.echo(
                "gspace: " + say("clock offset", hours=summary.clock_offset_ms / 3_600_000),
                err=True,
            )
        for line in summary.pending:
            click.echo(f"gspace: {line}", err=True)
        click.echo(
            say(
                "summary",
                incident=inc.name,
                url=url,
                sent=summary.sent,
                received=summary.received,
                conflicts=summary.conflicts,
                up=summary.photos_up,
                down=summary.photos_down,
                pending=len(summary.pending),
            ),
            err=True,
        )
    finally:
        inc.close()
    sys.stdout.flush()


# `gspace hub backup|restore|bundle import`: gspace/cli_hubops.py
from gspace.cli_hubops import add_commands  # noqa: E402

add_commands(hub)
