"""A hub in the test process and laptops that sync with it (the hub tests share these).

`Hub` wraps the ASGI app (gspace.hub.app.create_app) on a temporary folder: `token(role)` makes
tokens, `client()` a synchronous httpx client whose transport hands each request to the app
in-process (httpx.ASGITransport, run on an event loop in a helper thread, since the laptop's
client is synchronous), `sync(laptop)` runs the laptop's real client against it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import anyio.from_thread
import httpx

from gspace.hub.app import create_app
from gspace.store.incident import Incident
from gspace.sync.client import sync

URL = "http://hub.test"


class Hub:
    def __init__(self, folder: Path, durable: bool = True, **options):
        self.folder = folder
        self.asgi, self.app = create_app(folder, **options)
        self.state = self.app.state.hub
        if not durable and not options.get("db"):
            # thousands of commits in the convergence test need not reach the disk
            self.state.db.conn.execute("PRAGMA synchronous=OFF")
            create = self.state.create

            def create_fast(name, creator):
                create(name, creator)
                self.state._incident(name).conn.execute("PRAGMA synchronous=OFF")

            self.state.create = create_fast
        self._client: httpx.Client | None = None
        self._portal = None

    def token(
        self,
        role: str = "officer",
        name: str = "田中",
        incident: str | None = "熊本豪雨",
        days: float | None = None,
    ) -> str:
        return self.state.db.create_token(role, name, incident, days)

    def client(self) -> httpx.Client:
        if self._client is None:
            self._portal = anyio.from_thread.start_blocking_portal()
            portal = self._portal.__enter__()
            self._client = httpx.Client(transport=SyncASGI(self.asgi, portal), base_url=URL)
        return self._client

    def sync(self, laptop: Incident, token: str, incident: str = "熊本豪雨", **options):
        return sync(laptop, URL, token, incident, client=self.client(), **options)

    def incident(self, name: str = "熊本豪雨") -> Incident:
        """The hub's copy of the incident (on PostgreSQL: this process' replica, caught up
        with the shared log)."""
        with self.state.incident(name) as inc:
            return inc

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._portal.__exit__(None, None, None)
        self.state.close()


class SyncASGI(httpx.BaseTransport):
    """httpx.ASGITransport for a synchronous client: each request runs on the portal's loop."""

    def __init__(self, app, portal):
        self.inner, self.portal = httpx.ASGITransport(app=app), portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> httpx.Response:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self.inner.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self.portal.call(call)


def photo_bytes(n: int, size: int = 300_000) -> bytes:
    """Deterministic bytes standing for a photo (the hub checks hashes, not images)."""
    block = hashlib.sha256(str(n).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def add_photo(inc: Incident, data: bytes, name: str = "p.jpg") -> str:
    """A photo report whose original is on this laptop."""
    from gspace.media import store_original
    from gspace.store import records

    sha, relative = store_original(inc.path, data, ".jpg")
    with inc.transaction():
        records.add_media(
            inc, {"sha256": sha, "type": "image/jpeg", "size": len(data), "path": relative}
        )
        records.add_reports(
            inc,
            [
                {
                    "id": records.photo_id(sha),
                    "kind": "photo",
                    "source": f"DCIM/{name}",
                    "media": [sha],
                }
            ],
        )
    return sha
