"""`gspace hub invite …`: links that let volunteers' phones send reports to the hub (issue 18).

`gspace hub invite --data DIR --incident NAME` makes an invite and prints its link (stdout) and
a QR code (the terminal, and a PNG with --qr); `invite list` and `invite revoke` manage them.
The QR code is drawn by the `qrcode` package (the hub extra), on Pillow, which gspace has.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gspace.cli_options import HUB_DB
from gspace.errors import GspaceError

DEFAULT_BASE = "http://localhost:8780"


def _volunteers(data: Path, db_url: str | None = None):
    from gspace.hub.db import HUB_DB, HubDB
    from gspace.hub.volunteer_db import VolunteerDB

    if db_url:
        try:
            from gspace.hub.pg_db import PgHubDB, check_url
        except ImportError:
            raise GspaceError("the hub needs its packages: pip install 'gspace[hub]'") from None
        return VolunteerDB(PgHubDB(check_url(db_url)))
    if not (data / HUB_DB).is_file():
        raise GspaceError(f"no hub in {data} (start it once with: gspace hub serve --data {data})")
    return VolunteerDB(HubDB(data))


def write_qr(link: str, png: Path | None, out=None) -> None:
    """The link as a QR code in the terminal (`out`, stderr by default) and, if `png`, a PNG
    big enough to print on a poster."""
    try:
        import qrcode
    except ImportError:
        raise GspaceError("QR codes need the hub's packages: pip install 'gspace[hub]'") from None
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    code.print_ascii(out=out or sys.stderr, invert=True)
    if png is not None:
        big = qrcode.QRCode(
            box_size=16, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M
        )
        big.add_data(link)
        big.make(fit=True)
        try:
            big.make_image().save(str(png))
        except OSError as e:
            raise GspaceError(f"cannot write {png}: {e.strerror or e}") from None


@click.group("invite", invoke_without_command=True)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="the hub's folder")
@HUB_DB
@click.option("--incident", help="the hub incident the reports go to")
@click.option("--name", help="what the invite is for (e.g. 避難所A); default invite<N>")
@click.option(
    "--base-url",
    help=f"the hub's address as phones reach it (default {DEFAULT_BASE}), e.g. "
    "https://192.168.1.10:8780",
)
@click.option(
    "--expires",
    type=click.FloatRange(min=0, min_open=True),
    help="days until no new phone may join (default: never)",
)
@click.option("--devices", type=click.IntRange(min=1), help="how many phones may join")
@click.option(
    "--qr",
    "qr_png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write the QR as PNG",
)
@click.pass_context
def invite(
    ctx: click.Context,
    data: Path | None,
    db_url: str | None,
    incident: str | None,
    name: str | None,
    base_url: str | None,
    expires: float | None,
    devices: int | None,
    qr_png: Path | None,
) -> None:
    """Make a link (and QR code) that lets volunteers' phones send reports to an incident.

    One link is shared by many people: each phone that opens it gets its own token.

    Example: gspace hub invite --data /srv/hub --incident 熊本豪雨 --base-url https://10.0.0.5:8780
    --devices 200 --expires 14 --qr poster.png
    """
    if ctx.invoked_subcommand is not None:
        return
    if data is None or not incident:
        raise click.UsageError("give --data DIR and --incident NAME (or: invite list|revoke)")
    base = (base_url or DEFAULT_BASE).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise GspaceError(f"--base-url must start with http:// or https:// (got {base!r})")
    vdb = _volunteers(data, db_url)
    try:
        invite_id, secret = vdb.create_invite(incident, name, expires, devices)
        made = vdb.invite(invite_id)
    finally:
        vdb.db.close()
    link = f"{base}/v/{secret}"
    click.echo(link)
    write_qr(link, qr_png)
    click.echo(f"gspace: invite {invite_id} ({made.name}) for {incident}", err=True)
    if base_url is None:
        click.echo(
            f"gspace: warning: the link uses {DEFAULT_BASE}; phones need the hub's address on "
            "the network: give --base-url",
            err=True,
        )
    if qr_png:
        click.echo(f"gspace: QR code written to {qr_png}", err=True)


@invite.command("list")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@HUB_DB
@click.option("--incident", help="only this incident's invites")
def invite_list(data: Path, db_url: str | None, incident: str | None) -> None:
    """List invites: id, name, incident, state, phones joined / allowed, expiry (never the
    links: only their hashes are kept).

    Example: gspace hub invite list --data /srv/hub
    """
    vdb = _volunteers(data, db_url)
    try:
        for i in vdb.invites(incident):
            expires = (
                time.strftime("%Y-%m-%d %H:%M", time.localtime(i.expires)) if i.expires else "-"
            )
            phones = f"{i.phones}/{i.devices if i.devices is not None else '-'}"
            click.echo(f"{i.id}\t{i.name}\t{i.incident}\t{i.state()}\t{phones}\t{expires}")
    finally:
        vdb.db.close()


@invite.command("revoke")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@HUB_DB
@click.option("--phones", is_flag=True, help="also stop the phones that joined through it")
@click.argument("invite_id", type=int)
def invite_revoke(data: Path, db_url: str | None, phones: bool, invite_id: int) -> None:
    """Revoke an invite: no new phone may join; with --phones, the phones that joined through
    it cannot send any more either.

    Example: gspace hub invite revoke --data /srv/hub --phones 3
    """
    vdb = _volunteers(data, db_url)
    try:
        revoked = vdb.revoke_invite(invite_id, phones)
    finally:
        vdb.db.close()
    if revoked is None:
        raise GspaceError(f"no invite {invite_id}")
    extra = f" and {revoked} phone(s)" if phones else ""
    click.echo(f"revoked invite {invite_id}{extra}", err=True)


@click.command("cert")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--host",
    "hosts",
    multiple=True,
    required=True,
    help="a name or IP address phones use to reach the hub (repeat for several)",
)
@click.option("--port", default=8780, show_default=True, type=int, help="the port hub serve uses")
@click.option(
    "--qr",
    "qr_png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write the QR code of the CA's address as PNG",
)
def cert(data: Path, hosts: tuple[str, ...], port: int, qr_png: Path | None) -> None:
    """Make the hub's own CA (once; kept and reused) and a server certificate for HTTPS, and
    print how to trust the CA on a phone. Phones open the volunteer page offline and share
    their location only over HTTPS they trust.

    Example: gspace hub cert --data /srv/hub --host 192.168.1.10 --host hub.local
    """
    try:
        from gspace.hub.tls import make_certificates
    except ImportError:
        raise GspaceError(
            "certificates need the hub's packages: pip install 'gspace[hub]'"
        ) from None
    made = make_certificates(data, list(hosts))
    host = hosts[0] if ":" not in hosts[0] else f"[{hosts[0]}]"
    ca_link = f"https://{host}:{port}/v/assets/gspace-hub-ca.crt"
    state = "made" if made.ca_created else "kept (phones that trust it go on working)"
    click.echo(f"CA ({state}): {made.ca}")
    click.echo(f"certificate for {', '.join(made.names)}: {made.cert}")
    click.echo(f"key: {made.key}")
    click.echo(
        f"\nserve with:\n  gspace hub serve --data {data} --host 0.0.0.0 --port {port} "
        f"--tls-cert {made.cert} --tls-key {made.key}\n"
    )
    click.echo(
        "スマートフォンでこのCAを信頼する手順 / Trusting the CA on a phone:\n"
        f"  1. QRコードを読み取り {ca_link} を開く（警告が出たら「詳細」から続行）\n"
        "     Scan the QR code and open it (accept the warning this once).\n"
        "  2. iPhone: 設定 > 一般 > VPNとデバイス管理 でプロファイルをインストールし、\n"
        "     設定 > 一般 > 情報 > 証明書信頼設定 で「gspace hub local CA」をオンにする。\n"
        "     Settings > General > VPN & Device Management: install; then General > About >\n"
        "     Certificate Trust Settings: turn on full trust for it.\n"
        "  3. Android: 設定 > セキュリティ > 暗号化と認証情報 > 証明書のインストール > CA証明書\n"
        "     Settings > Security > Encryption & credentials > Install a certificate > CA.\n"
        "  (信頼しない端末でもHTTPで報告は送れます / phones that do not trust it can still send\n"
        "   over plain HTTP, without offline opening or location)"
    )
    write_qr(ca_link, qr_png)
