"""The hub's HTTP interface (FastAPI): every route names the roles that may use it (also
published in the OpenAPI description as `x-roles`), and checks the token before anything else.

Roles: admin (tokens, incidents, and everything below), analyst (reads and syncs every
incident, verifies / rejects reports, settles conflicts), officer (syncs the one incident of its
token), volunteer (reserved for the submission page of issue 18: no route here yet).
A token is sent as `Authorization: Bearer <token>`, never in a URL, so it never reaches a log.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gspace import __version__
from gspace.errors import GspaceError
from gspace.hub import protocol
from gspace.hub.db import FAIL_LIMIT, ROLES, Token
from gspace.hub.limits import BINARY_BODY, BodyLimit, read_pieces
from gspace.hub.state import HubState
from gspace.hub.storage import BadHash, Mismatch, checked, sha256_of
from gspace.hub.volunteer import add_volunteer_routes
from gspace.sync.faults import kill_point

log = logging.getLogger("gspace.hub")

MAX_BODY = 32 << 20  # a push batch
MAX_CHUNK = 8 << 20  # one upload chunk
MAX_MEDIA = 4 << 30  # one photo or video

SYNC = ("admin", "analyst", "officer")
ANALYST = ("admin", "analyst")
ADMIN = ("admin",)


class PushBody(BaseModel):
    entries: list = Field(max_length=protocol.MAX_ENTRIES)


class NewToken(BaseModel):
    role: str
    name: str
    incident: str | None = None
    expires_days: float | None = None


class NewIncident(BaseModel):
    name: str


class Settle(BaseModel):
    take: int


class Triage(BaseModel):
    status: str


class Hashes(BaseModel):
    sha256: list[str] = Field(max_length=100_000)


def create_app(
    data: Path,
    *,
    max_body: int = MAX_BODY,
    max_chunk: int = MAX_CHUNK,
    max_media: int = MAX_MEDIA,
    wall=None,
    fail_limit: int = FAIL_LIMIT,
    db: str | None = None,
):
    """The ASGI app serving the hub whose state is in `data` (and the FastAPI app inside it);
    the limits are options so tests can reach them with small bodies. With `db` (a
    postgresql:// URL) the state is in PostgreSQL, shared with the hub's other processes."""
    if db:
        from gspace.hub.pg_state import PgHubState

        state = PgHubState(Path(data), db, wall=wall, fail_limit=fail_limit)
    else:
        state = HubState(Path(data), wall=wall, fail_limit=fail_limit)
    from gspace.hub import epoch

    epoch.ensure(state.db)  # before any laptop remembers it (gspace/hub/epoch.py)
    app = FastAPI(
        title="gspace hub",
        docs_url=None,  # the interactive pages load scripts from a CDN; /openapi.json stays
        redoc_url=None,
        version=__version__,
        description="Sync of gspace incidents between laptops at HQ (issue 17). Send the token "
        "as `Authorization: Bearer <token>`; `x-roles` lists who may call each operation.",
    )
    app.state.hub = state

    def allow(*roles: str, scoped: bool = True):
        """A dependency: the request's token, if it is live and its role is one of `roles`
        (and, for a token tied to an incident, the path names that incident)."""

        def check(request: Request) -> Token:
            address = request.client.host if request.client else "?"
            if state.db.blocked(address):
                raise HTTPException(429, "too many failed authentications; wait a minute")
            header = request.headers.get("authorization", "")
            scheme, _, text = header.partition(" ")
            token = state.db.check(text.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                state.db.failed(address)
                raise HTTPException(
                    401, "a valid token is needed", headers={"WWW-Authenticate": "Bearer"}
                )
            if token.role not in roles:
                raise HTTPException(403, f"a {token.role} token may not do this")
            name = request.path_params.get("name")
            if scoped and name is not None and token.incident and token.incident != name:
                raise HTTPException(403, "this token is for another incident")
            return token

        return check

    anyone, syncer, analyst, admin = allow(*ROLES), allow(*SYNC), allow(*ANALYST), allow(*ADMIN)

    def roles(*names: str) -> dict:
        return {"openapi_extra": {"x-roles": list(names)}}

    def named(name: str) -> None:
        if not state.exists(name):
            raise HTTPException(404, f"no incident {name!r} on this hub")

    def hash_of(sha256: str) -> str:
        try:
            return checked(sha256)
        except BadHash:
            raise HTTPException(422, "not a SHA-256 (64 lowercase hex digits)") from None

    def known(inc, sha: str) -> None:
        if not inc.conn.execute("SELECT 1 FROM media WHERE sha256 = ?", (sha,)).fetchone():
            raise HTTPException(404, "no such photo in this incident (push its row first)")

    def media_of(name: str, sha256: str) -> str:
        sha = hash_of(sha256)
        named(name)
        with state.incident(name) as inc:
            known(inc, sha)
        return sha

    # -- who am I --------------------------------------------------------------------------
    @app.get("/v1/whoami", **roles(*ROLES))
    def whoami(token: Token = Depends(anyone)):
        return {
            "name": token.name,
            "role": token.role,
            "incident": token.incident,
            "hub": state.origin,
            "clock": state.now(),
        }

    # -- incidents and tokens (admin) --------------------------------------------------------
    @app.get("/v1/incidents", **roles(*ANALYST))
    def incidents(token: Token = Depends(analyst)):
        return {"incidents": [name for name, _ in state.db.incidents()]}

    @app.post("/v1/incidents", status_code=201, **roles(*ADMIN))
    def create_incident(body: NewIncident, token: Token = Depends(admin)):
        try:
            state.create(body.name, token.name)
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
        return {"name": body.name}

    @app.get("/v1/tokens", **roles(*ADMIN))
    def tokens(token: Token = Depends(admin)):
        return {"tokens": [t.__dict__ for t in state.db.tokens()]}

    @app.post("/v1/tokens", status_code=201, **roles(*ADMIN))
    def create_token(body: NewToken, token: Token = Depends(admin)):
        try:
            text = state.db.create_token(body.role, body.name, body.incident, body.expires_days)
        except GspaceError as e:
            raise HTTPException(422, str(e)) from None
        log.info("token created for %s (%s) by %s", body.name, body.role, token.name)
        return {"token": text}

    @app.delete("/v1/tokens/{token_id}", **roles(*ADMIN))
    def revoke_token(token_id: int, token: Token = Depends(admin)):
        if not state.db.revoke(token_id):
            raise HTTPException(404, f"no live token {token_id}")
        return {"revoked": token_id}

    # -- sync ------------------------------------------------------------------------------
    @app.post("/v1/incidents/{name}/push", **roles(*SYNC))
    def push(name: str, body: PushBody, token: Token = Depends(syncer)):
        if not state.exists(name):
            if token.role == "analyst":
                raise HTTPException(404, f"no incident {name!r} on this hub")
            try:
                state.create(name, token.name)  # an officer's first sync creates its incident
            except ValueError as e:
                raise HTTPException(422, str(e)) from None
        with state.incident(name) as inc:
            answers = protocol.push(state, inc, name, body.entries, token.name)
        counts: dict[str, int] = {}
        for a in answers:
            counts[a["outcome"]] = counts.get(a["outcome"], 0) + 1
        log.info("push %s by %s: %s", name, token.name, counts)
        return {"answers": answers, "clock": state.now()}

    @app.get("/v1/incidents/{name}/pull", **roles(*SYNC))
    def pull(
        name: str,
        after: int = Query(0, ge=0),
        limit: int = Query(1000, ge=1, le=protocol.MAX_PULL),
        origin: str | None = Query(None, max_length=64),
        token: Token = Depends(syncer),
    ):
        if not state.exists(name):
            return {"entries": [], "next": 0, "last": 0, "more": False, "clock": state.now()}
        page = state.pull(name, after, limit, skip_origin=origin)
        return {**page, "clock": state.now()}

    @app.get("/v1/incidents/{name}/epoch", **roles(*SYNC))
    def hub_epoch(name: str, token: Token = Depends(syncer)):
        """The hub's epoch and its restores (gspace/hub/epoch.py): a laptop checks its
        cursors against them before it pushes."""
        last = state.last(name) if state.exists(name) else 0
        return epoch.describe(state.db, name, last)

    # -- analysts ----------------------------------------------------------------------------
    @app.get("/v1/incidents/{name}/conflicts", **roles(*ANALYST))
    def conflicts(name: str, token: Token = Depends(analyst)):
        from gspace.sync.conflicts import list_conflicts

        named(name)
        with state.incident(name) as inc:
            found = list_conflicts(inc)
        return {
            "conflicts": [
                {
                    "id": c.id,
                    "tbl": c.tbl,
                    "row_id": c.row_id,
                    "field": c.field,
                    "kind": c.kind,
                    "values": c.values,
                }
                for c in found
            ]
        }

    @app.post("/v1/incidents/{name}/conflicts/{conflict_id}/settle", **roles(*ANALYST))
    def settle(name: str, conflict_id: str, body: Settle, token: Token = Depends(analyst)):
        from gspace.sync.conflicts import settle as settle_conflict

        named(name)
        with state.incident(name, actor=token.name) as inc:
            try:
                with inc.transaction():
                    settle_conflict(inc, conflict_id, take=body.take)
            except (GspaceError, ValueError, IndexError) as e:
                raise HTTPException(422, str(e)) from None
        return {"settled": conflict_id}

    @app.post("/v1/incidents/{name}/reports/{report_id}/status", **roles(*ANALYST))
    def triage(name: str, report_id: str, body: Triage, token: Token = Depends(analyst)):
        from gspace.store import records

        if body.status not in ("new", "verified", "actioned", "rejected"):
            raise HTTPException(422, "status is one of new, verified, actioned, rejected")
        named(name)
        with state.incident(name, actor=token.name) as inc:
            try:
                with inc.transaction():
                    records.update_report(inc, report_id, status=body.status)
            except GspaceError as e:
                raise HTTPException(404, str(e)) from None
        return {"id": report_id, "status": body.status}

    # -- media -------------------------------------------------------------------------------
    @app.post("/v1/incidents/{name}/media/missing", **roles(*SYNC))
    def missing(name: str, body: Hashes, token: Token = Depends(syncer)):
        named(name)
        wanted = [h for h in body.sha256 if isinstance(h, str) and len(h) == 64]
        out, received = [], {}
        for sha in wanted:
            try:
                if not state.media.has(sha):
                    out.append(sha)
                    if have := state.media.received(sha):
                        received[sha] = have
            except BadHash:
                continue
        # what is already received of each: the client resumes there without asking again
        return {"missing": out, "received": received}

    @app.get("/v1/incidents/{name}/media/{sha256}", **roles(*SYNC))
    def download(name: str, sha256: str, token: Token = Depends(syncer)):
        sha = media_of(name, sha256)
        if not state.media.has(sha):
            raise HTTPException(404, "the hub does not have this photo yet")
        return FileResponse(state.media.path(sha), media_type="application/octet-stream")

    @app.get("/v1/incidents/{name}/uploads/{sha256}", **roles(*SYNC))
    def upload_status(name: str, sha256: str, token: Token = Depends(syncer)):
        sha = media_of(name, sha256)
        return {"received": state.media.received(sha), "complete": state.media.has(sha)}

    @app.put(
        "/v1/incidents/{name}/uploads/{sha256}",
        openapi_extra={"x-roles": list(SYNC), **BINARY_BODY},
    )
    async def upload_chunk(
        name: str,
        sha256: str,
        request: Request,
        offset: int = Query(ge=0),
        size: int | None = Query(None, ge=0),
        token: Token = Depends(syncer),
    ):
        """A chunk at `offset`; with `size` (the whole photo's), the chunk that reaches it
        also completes the upload (as `/complete`: one request fewer per photo)."""
        # The body is kept as the pieces it arrived in (limits.read_pieces) and written without
        # joining them; the whole photo in one request is hashed from memory on a worker thread
        # outside the incident's lock, so the next photo's bytes arrive meanwhile (a laptop
        # sends two at once: client.UPLOADS). The body is read before the lock is taken (as
        # BodyLimit reads every other body before its route runs). The partial file is synced
        # before any answer.
        sha = hash_of(sha256)
        pieces = await read_pieces(request, max_chunk)
        if pieces is None:  # the client went away mid-chunk: nothing of it is written
            return Response(status_code=400)
        length = sum(len(p) for p in pieces)
        if offset + length > max_media:
            raise HTTPException(413, f"a photo may be at most {max_media} bytes")

        def write() -> int:
            # the whole photo in this one request: the file will hold exactly these bytes
            digest = sha256_of(pieces) if offset == 0 and size == length else None
            named(name)
            with state.incident(name) as inc:  # one writer of a partial file at a time
                known(inc, sha)  # checked here, not before the body: the next photo's bytes
                # are received while the previous one is synced to disk under this lock
                if state.media.has(sha):
                    return -1
                received = state.media.append(sha, offset, pieces)
                kill_point("hub-upload-written")
                state.db.count_upload(sha, length)
                kill_point("hub-upload-counted")
                if size is not None and received == size:
                    try:
                        state.media.complete(sha, size, digest if received == length else None)
                    except Mismatch as e:
                        log.warning("upload of %s refused: %s", sha, e)
                        raise HTTPException(422, str(e)) from None
                    kill_point("hub-upload-moved")
                    return -1
                return received

        try:
            received = await run_in_threadpool(write)
        except Mismatch as e:
            raise HTTPException(409, str(e)) from None
        return {"received": received if received >= 0 else None, "complete": received < 0}

    @app.post("/v1/incidents/{name}/uploads/{sha256}/complete", **roles(*SYNC))
    def upload_complete(
        name: str,
        sha256: str,
        size: int = Query(ge=0),
        token: Token = Depends(syncer),
    ):
        sha = media_of(name, sha256)
        with state.incident(name):
            try:
                state.media.complete(sha, size)
                kill_point("hub-upload-moved")
            except Mismatch as e:
                log.warning("upload of %s refused: %s", sha, e)
                raise HTTPException(422, str(e)) from None
        return {"sha256": sha, "size": size}

    add_volunteer_routes(app, state, allow, max_media)  # issue 18: invites, phones, reports
    return BodyLimit(app, max_body, max_chunk), app


def asgi_app(data: Path, **options):
    """The ASGI callable uvicorn runs (the FastAPI app wrapped in the body-size limit)."""
    return create_app(data, **options)[0]


def asgi_app_from_env():
    """The app of each uvicorn worker process (`hub serve --workers N`): uvicorn imports it
    by name, so the hub's folder and database come in the environment (GSPACE_HUB_DATA,
    GSPACE_HUB_DB), as `hub serve` sets them."""
    import os

    return asgi_app(Path(os.environ["GSPACE_HUB_DATA"]), db=os.environ.get("GSPACE_HUB_DB"))
