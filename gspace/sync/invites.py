"""A laptop's side of the hub's volunteer invites (issue 18): what role the token has, the
incident's invites, a new one, revoking one, and the link's QR code as PNG. The window's
Volunteer invites dialog calls these on a worker thread (no Qt here).

Failures are `InviteError`s with a one-word `kind` ("unreachable", "unauthorized", "forbidden",
"throttled", "no incident", "refused", "no invite", "hub error") the window turns into one
translated line, so a user never sees an exception's text. The hub keeps only a hash of each
invite's secret: its link exists only in the answer to the request that made it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from gspace.errors import GspaceError

ROLES_ALLOWED = ("admin", "analyst")  # the hub's invite routes accept only these


class InviteError(GspaceError):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass
class InviteInfo:
    id: int
    name: str
    phones: int
    devices: int | None  # the phone cap, None: no cap
    expires: float | None  # epoch seconds, None: never
    state: str  # live | full | expired | revoked


@dataclass
class NewInvite:
    id: int
    name: str
    link: str


class InviteClient:
    """Requests about one hub incident's invites with one token. `client` may be given (tests
    hand an in-process hub's); otherwise one is made for `url` and closed by `close()`."""

    def __init__(self, url: str, token: str, incident: str, client: httpx.Client | None = None):
        self.url = url.rstrip("/")
        self.own = client is None
        timeout = httpx.Timeout(30.0, connect=10.0)  # an unreachable hub is said soon
        self.http = client or httpx.Client(base_url=self.url, timeout=timeout)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.base = f"/v1/incidents/{quote(incident, safe='')}/invites"

    def close(self) -> None:
        if self.own:
            self.http.close()

    def __enter__(self) -> InviteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            r = self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError:
            raise InviteError("unreachable") from None
        kind = {401: "unauthorized", 403: "forbidden", 429: "throttled", 422: "refused"}.get(
            r.status_code
        )
        if r.status_code == 404:
            kind = "no invite" if method == "DELETE" else "no incident"
        elif kind is None and r.status_code >= 300:
            kind = "hub error"
        if kind:
            raise InviteError(kind)
        try:
            data = r.json()
        except ValueError:
            raise InviteError("hub error") from None
        if not isinstance(data, dict):
            raise InviteError("hub error")
        return data

    def role(self) -> str:
        """The token's role on the hub ("admin", "analyst", "officer", …)."""
        return str(self._call("GET", "/v1/whoami").get("role", ""))

    def invites(self) -> list[InviteInfo]:
        found = []
        for i in self._call("GET", self.base).get("invites", []):
            try:
                found.append(
                    InviteInfo(
                        int(i["id"]),
                        str(i.get("name") or ""),
                        int(i.get("phones") or 0),
                        None if i.get("devices") is None else int(i["devices"]),
                        None if i.get("expires") is None else float(i["expires"]),
                        str(i.get("state") or ""),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue  # a row this laptop cannot read; the others are shown
        return found

    def create(
        self, base_url: str, name: str = "", days: float | None = None, devices: int | None = None
    ) -> NewInvite:
        """A new invite; its link starts with `base_url`, the hub's address as phones reach it
        (the hub's own idea of its address is the one this laptop used, often not theirs)."""
        body = {"name": name.strip() or None, "expires_days": days, "devices": devices}
        made = self._call("POST", self.base, json=body)
        path = str(made.get("path") or "")
        if not path.startswith("/v/"):
            raise InviteError("hub error")
        return NewInvite(int(made["id"]), str(made.get("name") or ""), base_url.rstrip("/") + path)

    def revoke(self, invite_id: int, phones: bool = False) -> int:
        """Revoke an invite (and, with `phones`, the phones that joined through it); returns how
        many phones were revoked."""
        done = self._call(
            "DELETE", f"{self.base}/{int(invite_id)}", params={"phones": str(phones).lower()}
        )
        return int(done.get("phones_revoked") or 0)


def require_qr() -> None:
    """Raise InviteError("no qrcode") unless QR codes can be drawn: checked before an invite is
    made, since its link cannot be had again."""
    try:
        import qrcode  # noqa: F401
    except ImportError:
        raise InviteError("no qrcode") from None


def qr_png(link: str, box: int = 12) -> bytes:
    """The link's QR code as PNG bytes (`box` pixels a module: 12 reads from a screen, 16 is
    the CLI's poster size). Needs the `qrcode` package (the hub extra)."""
    try:
        import qrcode
    except ImportError:
        raise InviteError("no qrcode") from None
    code = qrcode.QRCode(box_size=box, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)  # PIL image (qrcode's default factory on Pillow)
    return out.getvalue()
