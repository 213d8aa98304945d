"""Volunteer submissions through the hub (issue 18): invites, the phones that join them, and
the reports they send. `add_volunteer_routes` adds the routes to the hub's app.

A volunteer token (one per phone, made when the phone opens an invite) may only upload photos
and create reports on its incident and read its own receipts. Its uploads live in a folder of
its own (`DIR/volunteer/<token id>/`): what it asks about an upload is answered from there,
so a phone cannot learn whether the hub holds any other photo. A finished upload is decoded
with Pillow (never trusted by its name or type) before it joins the hub's photos. Reports are
written with the ordinary records functions, as kind=volunteer, status=new, so laptops get
them at their next sync and triage them like any report.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gspace import refs
from gspace.errors import GspaceError
from gspace.hub.db import Token
from gspace.hub.limits import BINARY_BODY
from gspace.hub.storage import BadHash, LocalMediaStore, Mismatch, checked
from gspace.hub.volunteer_db import VolunteerDB
from gspace.hub.volunteer_images import BadImage, describe, examine
from gspace.hub.volunteer_pages import MESSAGES, area, assets, message_page, submission_page
from gspace.model import CATEGORIES

ANALYST = ("admin", "analyst")
CA_ASSET = "gspace-hub-ca.crt"
TLS, CA_CERT = "tls", "ca.pem"  # where gspace.hub.tls keeps the CA (not imported: no crypto here)
VOLUNTEER = ("volunteer",)
SOURCES = ("exif", "manual", "device")
_NAMESPACE = uuid.UUID("0b8e6d0c-8d55-4a55-bd43-2f1e1c9a7d21")


@dataclass
class Limits:
    """What one phone (and one address) may do; tests make them small."""

    per_token_per_minute: int = 120  # requests (a 3 MB photo in 1 MB chunks is ~5)
    per_address_per_minute: int = 1200  # many phones behind one shelter's router
    joins_per_address_per_minute: int = 60
    reports_per_token: int = 300
    photos_per_report: int = 10
    photo_bytes: int = 25 << 20
    token_bytes: int = 1 << 30
    comment_chars: int = 2000


class NewInvite(BaseModel):
    name: str | None = None
    expires_days: float | None = None
    devices: int | None = None


class VolunteerReport(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="made on the phone")
    comment: str = ""
    category: str | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    location_source: str | None = Field(None, description="exif, manual or device")
    accuracy_m: float | None = Field(None, ge=0, le=1_000_000)
    observed_at: str | None = None
    photos: list[str] = Field(default_factory=list, max_length=100)


def _say(ja: str, en: str) -> str:
    return f"{ja} / {en}"


def add_volunteer_routes(app, state, allow, max_media: int) -> None:
    """Add the invite, join and submission routes to the hub's FastAPI `app`. `allow` is the
    hub's token check (create_app's), so these routes check tokens as every other does."""
    vdb = VolunteerDB(state.db)
    limits = Limits(photo_bytes=min(Limits.photo_bytes, max_media))
    app.state.volunteer = vdb
    app.state.volunteer_limits = limits
    analyst, volunteer_only = allow(*ANALYST), allow(*VOLUNTEER)

    def roles(*names: str, **extra) -> dict:
        return {"openapi_extra": {"x-roles": list(names), **extra}}

    def limit() -> Limits:
        return app.state.volunteer_limits

    def address(request: Request) -> str:
        return request.client.host if request.client else "?"

    def volunteer(request: Request, token: Token = Depends(volunteer_only)) -> Token:
        """A volunteer token within its rate limits (and its address within the address's)."""
        ok_token = vdb.hit(f"token:{token.id}", limit().per_token_per_minute)
        ok_address = vdb.hit(f"address:{address(request)}", limit().per_address_per_minute)
        if not (ok_token and ok_address):
            raise HTTPException(
                429,
                _say("送信が多すぎます。1分ほど待ってください", "too many requests; wait a minute"),
                headers={"Retry-After": "60"},
            )
        return token

    locks: dict[int, threading.Lock] = {}
    locks_guard = threading.Lock()

    def phone_lock(token_id: int) -> threading.Lock:
        """A lock per phone: its uploads are its own files, so phones upload side by side
        (the incident's lock would make twenty phones wait for each other's disk writes)."""
        with locks_guard:
            return locks.setdefault(token_id, threading.Lock())

    def store_of(token: Token) -> LocalMediaStore:
        return LocalMediaStore(state.data / "volunteer" / str(token.id))

    def sha_of(sha256: str) -> str:
        try:
            return checked(sha256)
        except BadHash:
            raise HTTPException(422, "not a SHA-256 (64 lowercase hex digits)") from None

    # -- invites (analysts) ----------------------------------------------------------------------
    @app.post("/v1/incidents/{name}/invites", status_code=201, **roles(*ANALYST))
    def create_invite(
        name: str, body: NewInvite, request: Request, token: Token = Depends(analyst)
    ):
        try:
            invite_id, secret = vdb.create_invite(
                name, body.name, body.expires_days, body.devices, token.name
            )
        except GspaceError as e:
            status = 404 if "no incident" in str(e) else 422
            raise HTTPException(status, str(e)) from None
        path = f"/v/{secret}"
        return {
            "id": invite_id,
            "name": vdb.invite(invite_id).name,
            "invite": secret,
            "path": path,
            "link": str(request.base_url).rstrip("/") + path,
        }

    @app.get("/v1/incidents/{name}/invites", **roles(*ANALYST))
    def list_invites(name: str, token: Token = Depends(analyst)):
        return {"invites": [{**i.__dict__, "state": i.state()} for i in vdb.invites(name)]}

    @app.delete("/v1/incidents/{name}/invites/{invite_id}", **roles(*ANALYST))
    def revoke_invite(
        name: str, invite_id: int, phones: bool = Query(False), token: Token = Depends(analyst)
    ):
        found = vdb.invite(invite_id)
        if found is None or found.incident != name:
            raise HTTPException(404, f"no invite {invite_id} for this incident")
        revoked = vdb.revoke_invite(invite_id, phones)
        return {"revoked": invite_id, "phones_revoked": revoked}

    # -- the link a phone opens (the invite is its credential) ------------------------------------
    def invite_state(request: Request, invite: str):
        if state.db.blocked(address(request)):
            return "busy", None
        found = vdb.find_invite(invite)
        if found is None:
            state.db.failed(address(request))  # guessing invites counts as failed sign-ins
            return "unknown", None
        return found.state(), found

    files = assets()

    @app.get("/v/assets/{asset:path}", **roles(**{"x-public": "asset"}))
    def asset(asset: str):
        """The page's scripts and styles and Leaflet's, all served by the hub (no CDN)."""
        if asset == CA_ASSET:  # the hub's own CA (gspace hub cert), for phones to trust
            ca = state.data / TLS / CA_CERT
            if not ca.is_file():
                raise HTTPException(404, "this hub has no CA of its own (gspace hub cert)")
            return FileResponse(ca, media_type="application/x-x509-ca-cert")
        path = files.get(asset)
        if path is None:
            raise HTTPException(404, "no such file")
        kind = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}[path.suffix]
        headers = {"Cache-Control": "no-cache"}
        if asset == "sw.js":
            headers["Service-Worker-Allowed"] = "/v/"  # it serves the invite pages too
        return FileResponse(path, media_type=kind, headers=headers)

    @app.get("/v/{invite}/area", **roles(**{"x-public": "invite"}))
    def invite_area(invite: str, request: Request):
        """The outlines of the incident's municipalities, for the page's map."""
        status, found = invite_state(request, invite)
        if status not in ("live", "full"):
            code, ja, en = MESSAGES[status]
            return JSONResponse({"detail": _say(ja, en), "state": status}, status_code=code)
        with state.incident(found.incident) as inc:
            return area(inc)

    @app.get("/v/{invite}", response_class=HTMLResponse, **roles(**{"x-public": "invite"}))
    def open_invite(invite: str, request: Request):
        """The submission page; a clear page instead when the link cannot be used. A full
        invite still opens (a phone that joined before keeps its token in the browser)."""
        status, found = invite_state(request, invite)
        if status in ("live", "full"):
            return HTMLResponse(submission_page(found.incident), headers=_PAGE_HEADERS)
        code, page = message_page(status)
        return HTMLResponse(page, status_code=code, headers=_PAGE_HEADERS)

    @app.post("/v/{invite}/join", status_code=201, **roles(**{"x-public": "invite"}))
    def join(invite: str, request: Request):
        status, found = invite_state(request, invite)
        if status == "live" and not vdb.hit(
            f"join:{address(request)}", limit().joins_per_address_per_minute
        ):
            status = "busy"
        if status == "live":
            try:
                token, token_name = vdb.join(found)
            except GspaceError as e:
                status = str(e)
            else:
                return {"token": token, "name": token_name, "incident": found.incident}
        code, ja, en = MESSAGES[status]
        return JSONResponse({"detail": _say(ja, en), "state": status}, status_code=code)

    # -- a phone's photos --------------------------------------------------------------------------
    base = "/v1/incidents/{name}/volunteer"

    @app.get(base + "/uploads/{sha256}", **roles(*VOLUNTEER))
    def upload_status(name: str, sha256: str, token: Token = Depends(volunteer)):
        sha = sha_of(sha256)
        done = vdb.uploaded(token.id, sha) is not None
        return {"received": 0 if done else store_of(token).received(sha), "complete": done}

    @app.put(
        base + "/uploads/{sha256}",
        openapi_extra={"x-roles": list(VOLUNTEER), **BINARY_BODY},
    )
    async def upload_chunk(
        name: str,
        sha256: str,
        request: Request,
        offset: int = Query(ge=0),
        token: Token = Depends(volunteer),
    ):
        sha = sha_of(sha256)
        data = await request.body()
        most = limit().photo_bytes
        if offset + len(data) > most:
            raise HTTPException(
                413,
                _say(f"写真は {most >> 20} MB までです", f"a photo may be at most {most} bytes"),
            )

        def write() -> dict:
            if vdb.uploaded(token.id, sha) is not None:
                return {"received": None, "complete": True}
            store = store_of(token)
            others = sum(
                p.stat().st_size for p in store.uploads.glob("*.part") if p.name != f"{sha}.part"
            )  # unfinished uploads count too: abandoned ones must not fill the disk
            total = vdb.uploaded_bytes(token.id) + others + offset + len(data)
            if total > limit().token_bytes:
                raise HTTPException(
                    413,
                    _say(
                        "この端末から送れる写真の容量の上限に達しました",
                        "this phone has sent as many photo bytes as it may",
                    ),
                )
            with phone_lock(token.id):  # one writer of the phone's partial files at a time
                received = store.append(sha, offset, data)
            return {"received": received, "complete": False}

        try:
            return await run_in_threadpool(write)
        except Mismatch as e:
            raise HTTPException(409, str(e)) from None

    @app.post(base + "/uploads/{sha256}/complete", **roles(*VOLUNTEER))
    def upload_complete(
        name: str, sha256: str, size: int = Query(ge=0), token: Token = Depends(volunteer)
    ):
        sha = sha_of(sha256)
        if vdb.uploaded(token.id, sha) is not None:
            return {"sha256": sha, "size": size}
        store = store_of(token)
        with phone_lock(token.id):  # the phone's own files: other phones are not held up
            try:
                store.complete(sha, size)
            except Mismatch as e:
                raise HTTPException(
                    422, _say("写真が途中で壊れました。もう一度送ってください", str(e))
                ) from None
            path = store.path(sha)
            try:
                info = examine(path)
            except BadImage as e:
                path.unlink(missing_ok=True)
                raise HTTPException(422, str(e)) from None
            if state.media.has(sha):
                path.unlink()
            else:
                target = state.media.path(sha)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            vdb.add_upload(token.id, sha, size, orjson.dumps(info).decode())
        return {"sha256": sha, "size": size}

    # -- reports and receipts ----------------------------------------------------------------------
    @app.post(base + "/reports", status_code=201, **roles(*VOLUNTEER))
    def submit(name: str, body: VolunteerReport, token: Token = Depends(volunteer)):
        if not state.exists(name):
            raise HTTPException(404, f"no incident {name!r} on this hub")
        known = vdb.receipt(token.id, body.id)
        if known:
            return JSONResponse(_receipt(known), status_code=200)  # a retry
        with state.incident(name) as inc:
            zone = inc.timezone
        # read and check the photos (thumbnails: a decode each) without holding the incident
        report, photos = _report(body, token, limit(), state, vdb, zone)
        with state.incident(name, actor=token.name) as inc:
            known = vdb.receipt(token.id, body.id)
            if known:  # the same report, resent while this one was being prepared
                return JSONResponse(_receipt(known), status_code=200)
            if not inc.conn.execute(
                "SELECT 1 FROM reports WHERE id = ?", (report["id"],)
            ).fetchone():
                from gspace.store import records

                with inc.transaction():
                    for photo in photos:
                        records.add_media(inc, photo)
                    records.add_reports(inc, [report])
            vdb.add_receipt(token.id, body.id, report["id"], name, len(photos))
            return _receipt(vdb.receipt(token.id, body.id))

    @app.get(base + "/reports", **roles(*VOLUNTEER))
    def receipts(name: str, token: Token = Depends(volunteer)):
        return {"receipts": [_receipt(r) for r in vdb.receipts(token.id)]}


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # only the hub's own files run or load: hostile text shown on the page cannot add any
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; "
    "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the link is the invite: never sent on to another site
    "X-Content-Type-Options": "nosniff",
}


def _receipt(row: tuple) -> dict:
    client_id, report_id, sent, photos = row
    when = datetime.fromtimestamp(sent, UTC).isoformat(timespec="seconds")
    return {
        "id": client_id,
        "report": report_id,
        "ref": refs.ref(report_id),
        "sent": when,
        "photos": photos,
    }


def _report(body: VolunteerReport, token: Token, limits: Limits, state, vdb, zone):
    """The report row and media rows for a submission, or HTTPException 4xx saying why not."""
    if vdb.report_count(token.id) >= limits.reports_per_token:
        raise HTTPException(
            429,
            _say(
                "この端末から送れる報告の数の上限に達しました",
                "this phone has sent as many reports as it may",
            ),
        )
    if len(body.comment) > limits.comment_chars:
        raise HTTPException(
            422,
            _say(
                f"コメントは{limits.comment_chars}文字までです",
                f"a comment may be at most {limits.comment_chars} characters",
            ),
        )
    if len(body.photos) > limits.photos_per_report:
        raise HTTPException(
            422,
            _say(
                f"写真は1件の報告に{limits.photos_per_report}枚までです",
                f"at most {limits.photos_per_report} photos per report",
            ),
        )
    if body.category is not None and body.category not in CATEGORIES:
        raise HTTPException(422, "category is one of " + ", ".join(CATEGORIES))
    photos, metas = [], []
    for sha in dict.fromkeys(body.photos):
        info = vdb.uploaded(token.id, sha) if isinstance(sha, str) else None
        if info is None:
            raise HTTPException(
                422,
                _say("写真の送信が終わっていません", f"photo {str(sha)[:12]} is not uploaded yet"),
            )
        row, meta = describe(state.media.path(sha), sha, orjson.loads(info))
        photos.append(row)
        metas.append(meta)
    if not body.comment.strip() and not photos:
        raise HTTPException(422, _say("写真かコメントが必要です", "a photo or a comment is needed"))
    lon, lat, source, accuracy = body.lon, body.lat, body.location_source, body.accuracy_m
    if (lon is None) != (lat is None):
        raise HTTPException(422, "give both lon and lat, or neither")
    if lon is not None and source not in SOURCES:
        raise HTTPException(422, "location_source is one of " + ", ".join(SOURCES))
    if lon is None:
        located = [m for m in metas if m.lat is not None and m.lon is not None]
        if located:
            lon, lat, source, accuracy = located[0].lon, located[0].lat, "exif", None
        else:
            source, accuracy = "none", None
    observed = _observed(body.observed_at) or next(
        (m.observed_at(zone)[0] for m in metas if m.observed_at(zone)[0]), None
    )
    report_id = str(uuid.uuid5(_NAMESPACE, f"{state.origin}:{token.id}:{body.id}"))
    report = {
        "id": report_id,
        "kind": "volunteer",
        "status": "new",
        "lon": lon,
        "lat": lat,
        "location_source": source,
        "accuracy_m": accuracy,
        "observed_at": observed,
        "author": token.name,
        "text": body.comment.strip(),
        "category": body.category,
        "source": token.name,
        "media": [p["sha256"] for p in photos],
        "properties": {},
    }
    return report, photos


def _observed(text: str | None) -> str | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, "observed_at is an ISO 8601 time with its offset") from None
    if when.tzinfo is None:
        raise HTTPException(422, "observed_at needs its offset (e.g. +09:00)")
    return when.isoformat()
