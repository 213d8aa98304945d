"""A laptop's side of syncing with a hub (issue 17): push, then pull, then photos.

- Push: entries after this hub's push cursor, in batches; the hub answers each one. Only an
  acknowledged prefix moves the cursor (kept in the incident's meta, per hub and hub incident),
  so an entry the hub refused stays queued, with its reason listed, and is sent again next
  time; resending what the hub already has changes nothing (duplicates).
- The hub's answer carries the stamp and actor it holds for each entry; this laptop rewrites
  its copy to match (restamp.adopt), and says so when its clock was ahead.
- Pull: entries after this hub's pull cursor (the hub's local seq), each page applied with its
  cursor in one transaction, so a pull repeated after a crash changes nothing.
- Photos: the hub is asked which of this laptop's photos it lacks, and each is uploaded in
  chunks that resume where the hub's partial file ends, two photos at once (UPLOADS: the hub
  syncs one to disk while the other's bytes arrive); photos this laptop lacks are
  downloaded (resuming with a Range request) and their SHA-256 checked before they count.
No Qt here: the window will call the same `sync`.
"""

from __future__ import annotations

import json
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from gspace.errors import GspaceError
from gspace.media import file_sha256, relative_path
from gspace.store.incident import Incident
from gspace.sync import changes, merge, parallel, restamp
from gspace.sync.clock import parse_stamp
from gspace.sync.faults import kill_point
from gspace.sync.hub_messages import say

ACKNOWLEDGED = ("applied", "duplicate", "conflict", "held")
BATCH = 500
CHUNK = 8 << 20  # the hub's largest chunk (hub.app.MAX_CHUNK): a photo goes in one request
UPLOADS = 2  # photos in flight at once
PARTIAL = "media-partial"  # downloads in progress: outside media/, which sweeps may clean


class SyncError(GspaceError):
    """The sync could not go on (network, token, hub); what was done before is kept.

    `kind` says why in one word the window can show ("unreachable", "unauthorized",
    "forbidden", "throttled", "hub error", "cancelled"); the message says it in a sentence."""

    def __init__(self, message: str, kind: str = "hub error"):
        super().__init__(message)
        self.kind = kind


class SyncCancelled(SyncError):
    """The user stopped the sync; every batch acknowledged before is kept."""

    def __init__(self):
        super().__init__(say("cancelled"), "cancelled")


@dataclass
class Summary:
    sent: int = 0
    received: int = 0
    conflicts: int = 0
    photos_up: int = 0
    photos_down: int = 0
    bytes_up: int = 0
    pending: list[str] = field(default_factory=list)
    restamped: int = 0
    clock_ahead_ms: int = 0
    # this laptop's wall clock minus the hub's, as measured at the pull (positive: ahead),
    # so a laptop is warned even before it has made a change the hub would restamp
    clock_offset_ms: int = 0
    hub_restored: bool = False  # the hub lost entries since the last sync: all sent again


def meta_key(url: str, hub_incident: str, what: str) -> str:
    return f"hub:{url.rstrip('/')}#{hub_incident}:{what}"


def get_meta(inc: Incident, key: str, default: str | None = None) -> str | None:
    row = inc.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def _put_meta(inc: Incident, key: str, value: str) -> None:
    inc.db["meta"].upsert({"key": key, "value": value}, pk="key")


class Hub:
    """Requests to one hub incident, with errors turned into one-line SyncErrors."""

    def __init__(self, url: str, token: str, incident: str, client: httpx.Client | None = None):
        self.url, self.incident = url.rstrip("/"), incident
        # plain HTTP (a hub on loopback) needs no certificates: loading them takes ~40 ms,
        # a fifth of an incremental sync's budget
        tls = self.url.startswith("https:")
        self.http = client or httpx.Client(
            base_url=self.url, timeout=httpx.Timeout(60.0), verify=tls
        )
        self.headers = {"Authorization": f"Bearer {token}"}  # per request: a client may be shared
        self.base = f"/v1/incidents/{_quote(incident)}"

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            r = self.http.request(method, self.base + path, headers=self.headers, **kwargs)
        except httpx.HTTPError as e:
            raise SyncError(
                say("unreachable", url=self.url, reason=type(e).__name__), "unreachable"
            ) from None
        if r.status_code == 401:
            raise SyncError(say("unauthorized"), "unauthorized")
        if r.status_code == 403:
            raise SyncError(
                say("forbidden", incident=self.incident, reason=_detail(r)), "forbidden"
            )
        if r.status_code == 429:
            raise SyncError(say("throttled"), "throttled")
        if r.status_code >= 500 or r.status_code in (400, 413):
            raise SyncError(say("hub error", status=r.status_code, reason=_detail(r)))
        return r


def sync(
    inc: Incident,
    url: str,
    token: str,
    hub_incident: str,
    *,
    client: httpx.Client | None = None,
    batch: int = BATCH,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
    media: bool = True,
    cancel: Callable[[], bool] | None = None,
) -> Summary:
    """Push, pull and move photos; returns what happened. Raises SyncError when the hub cannot
    be reached or refuses the token, SyncCancelled when `cancel()` turns true (checked between
    batches, photos and chunks); everything acknowledged before is kept either way. The time
    of a sync that ended, and the log's end then, are kept in the meta (hub_status.py)."""
    hub = Hub(url, token, hub_incident, client)
    summary = Summary()
    stopped = cancel or (lambda: False)

    def say_progress(text: str) -> None:
        if progress and text:
            progress(text)
        if stopped():
            raise SyncCancelled()

    say_progress("")
    check_epoch(inc, hub, summary)
    push(inc, hub, summary, batch, say_progress)
    pull(inc, hub, summary, batch, say_progress)
    if media:
        upload_photos(inc, hub, summary, chunk, say_progress)
        download_photos(inc, hub, summary, say_progress)
    with inc.transaction():  # everything in the log up to here is on the hub or refused
        _put_meta(inc, meta_key(hub.url, hub.incident, "synced"), utc_now())
        _put_meta(inc, meta_key(hub.url, hub.incident, "synced_seq"), str(changes.last_seq(inc)))
    return summary


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_epoch(inc: Incident, hub: Hub, summary: Summary) -> None:
    """Before pushing: is the hub's history still the one this laptop's cursors count in? A
    hub restored from a backup (or replaced) is not; then everything this laptop holds is
    pushed again (the hub answers "duplicate" for what it has) and pulling starts again where
    the histories still agree (gspace/hub/epoch.py)."""
    from gspace.hub.epoch import pull_from

    r = hub.call("GET", "/epoch")
    if r.status_code != 200:
        return  # a hub from before epochs: nothing to compare
    current = r.json()
    epoch_key = meta_key(hub.url, hub.incident, "epoch")
    pull_key = meta_key(hub.url, hub.incident, "pull")
    seen = get_meta(inc, epoch_key)
    cursor = int(get_meta(inc, pull_key, "0"))
    start = pull_from(seen, current, cursor)
    if start is None and seen == current["epoch"]:
        return
    with inc.transaction():
        if start is not None:
            pushed = int(get_meta(inc, meta_key(hub.url, hub.incident, "push"), "0"))
            summary.hub_restored = pushed > 0 or cursor > 0
            _put_meta(inc, pull_key, str(start))
            _put_meta(inc, meta_key(hub.url, hub.incident, "push"), "0")
        _put_meta(inc, epoch_key, current["epoch"])


# -- entries -------------------------------------------------------------------------------
def push(inc: Incident, hub: Hub, summary: Summary, batch: int, progress) -> None:
    key = meta_key(hub.url, hub.incident, "push")
    cursor = int(get_meta(inc, key, "0"))
    total = changes.last_seq(inc) - cursor
    after, blocked, done, pending = cursor, False, 0, []
    while True:
        sent = list(changes.outgoing(inc, after, batch))
        if not sent:
            break
        r = hub.call("POST", "/push", json={"entries": [e for _, e in sent]})
        answers = r.json()["answers"]
        kill_point("client-push-answered")
        versions = []
        for (seq, entry), answer in zip(sent, answers, strict=True):
            outcome = answer["outcome"]
            if outcome in ACKNOWLEDGED:
                if outcome != "duplicate":
                    summary.sent += 1
                if outcome == "conflict":
                    summary.conflicts += 1
                if answer.get("hlc") and (
                    answer["hlc"] != entry["hlc"] or (answer.get("actor") or "") != entry["actor"]
                ):
                    versions.append(
                        (entry["origin"], entry["oseq"], answer["hlc"], answer.get("actor") or "")
                    )
                    if answer["hlc"] != entry["hlc"]:
                        summary.restamped += 1
                        ahead = parse_stamp(entry["hlc"])[0] - parse_stamp(answer["hlc"])[0]
                        summary.clock_ahead_ms = max(summary.clock_ahead_ms, ahead)
                if not blocked:
                    cursor = seq
            else:
                blocked = True
                pending.append(
                    {
                        "seq": seq,
                        "origin": entry["origin"],
                        "oseq": entry["oseq"],
                        "reason": answer.get("reason") or outcome,
                    }
                )
        with inc.transaction():
            if versions:
                restamp.adopt(inc, versions)
            _put_meta(inc, key, str(cursor))
        kill_point("client-push-saved")
        after = sent[-1][0]
        done += len(sent)
        progress(say("pushing", done=done, total=max(total, done)))
    with inc.transaction():
        _put_meta(inc, meta_key(hub.url, hub.incident, "pending"), json.dumps(pending))
    summary.pending += [
        say("pending", origin=p["origin"][:8], oseq=p["oseq"], reason=p["reason"]) for p in pending
    ]


def pull(inc: Incident, hub: Hub, summary: Summary, batch: int, progress) -> None:
    key = meta_key(hub.url, hub.incident, "pull")
    push_key = meta_key(hub.url, hub.incident, "push")
    after = int(get_meta(inc, key, "0"))
    while True:
        # origin: the hub leaves this laptop's own entries out (it has them)
        params = {"after": after, "limit": batch, "origin": inc.device_id}
        r = hub.call("GET", "/pull", params=params)
        page = r.json()
        entries = [item["entry"] for item in page["entries"]]
        kill_point("client-pull-received")
        with inc.transaction():
            before = changes.last_seq(inc)
            result = merge.apply_entries(inc, entries)
            kill_point("client-pull-applied")
            versions = [
                (e["origin"], e["oseq"], e["hlc"], e.get("actor") or "")
                for e, (outcome, _) in zip(entries, result.outcomes, strict=True)
                if outcome == "duplicate"
            ]
            if versions:
                restamp.adopt(inc, versions)
            _put_meta(inc, key, str(page["next"]))
            if int(get_meta(inc, push_key, "0")) >= before:
                # what came from the hub need not go back to it; changes this laptop made
                # while applying (duplicate posts marked) still must
                own = inc.conn.execute(
                    "SELECT min(seq) FROM changes WHERE seq > ? AND origin = ?",
                    (before, inc.device_id),
                ).fetchone()[0]
                _put_meta(inc, push_key, str(own - 1 if own else changes.last_seq(inc)))
        kill_point("client-pull-saved")
        summary.received += result.counts.get("applied", 0) + result.counts.get("conflict", 0)
        summary.conflicts += result.counts.get("conflict", 0)
        summary.clock_offset_ms = inc.clock.wall_ms() - parse_stamp(page["clock"])[0]
        inc.clock.observe(page["clock"])
        progress(say("pulling", done=summary.received))
        if not page["more"] or page["next"] <= after:
            break
        after = page["next"]


# -- photos --------------------------------------------------------------------------------
def upload_photos(inc: Incident, hub: Hub, summary: Summary, chunk: int, progress) -> None:
    local = {
        sha: inc.path / path
        for sha, path in inc.conn.execute(
            "SELECT sha256, path FROM media WHERE path IS NOT NULL ORDER BY sha256"
        )
        if (inc.path / path).is_file()
    }
    shas = sorted(local)
    missing: list[str] = []
    received: dict[str, int] | None = {}
    for start in range(0, len(shas), 1000):
        r = hub.call("POST", "/media/missing", json={"sha256": shas[start : start + 1000]})
        answer = r.json()
        missing += answer["missing"]
        if received is not None and isinstance(answer.get("received"), dict):
            received.update(answer["received"])
        else:
            received = None  # a hub that does not say: ask it per photo

    def job(sha: str):
        have = None if received is None else received.get(sha, 0)
        sent = Summary()  # per photo: the threads do not share a counter
        return lambda report: (upload(hub, sha, local[sha], sent, chunk, report, have), sent)

    # the calling thread reports progress and notices a cancel; a photo stopped by one keeps
    # what the hub acknowledged and resumes there at the next sync
    done = parallel.run([job(sha) for sha in missing], UPLOADS, progress)
    for sha, (reason, sent) in zip(missing, done, strict=True):
        summary.bytes_up += sent.bytes_up
        if reason:
            summary.pending.append(say("photo pending", sha=sha[:12], reason=reason))
        else:
            summary.photos_up += 1


def upload(
    hub: Hub,
    sha: str,
    path: Path,
    summary: Summary,
    chunk: int,
    progress,
    received: int | None = None,
) -> str:
    """Send the bytes of `path` the hub lacks (`received`: what the hub said it holds, else
    it is asked), the last chunk asking the hub to check them; '' when done. `progress` is
    told after each chunk the hub acknowledged (and may stop the upload there)."""
    size = path.stat().st_size
    if received is None:
        r = hub.call("GET", f"/uploads/{sha}")
        if r.status_code != 200:
            return _detail(r)
        state = r.json()
        if state.get("complete"):
            return ""
        received = state["received"]
    offset = received if received <= size else 0
    with open(path, "rb") as f:
        f.seek(offset)
        while offset < size:
            data = f.read(chunk)
            params = {"offset": offset, "size": size}
            r = hub.call("PUT", f"/uploads/{sha}", params=params, content=data)
            if r.status_code == 409:  # the hub holds less than we thought: start from there
                offset = hub.call("GET", f"/uploads/{sha}").json()["received"]
                f.seek(offset)
                continue
            if r.status_code != 200:
                return _detail(r)
            summary.bytes_up += len(data)
            if r.json().get("complete"):
                kill_point("client-upload-done")
                progress(say("uploading", sha=sha[:12], done=size, total=size))
                return ""
            offset += len(data)
            kill_point("client-upload-chunk")
            progress(say("uploading", sha=sha[:12], done=offset, total=size))
    r = hub.call("POST", f"/uploads/{sha}/complete", params={"size": size})
    return "" if r.status_code == 200 else _detail(r)


def download_photos(inc: Incident, hub: Hub, summary: Summary, progress) -> None:
    wanted = [
        (sha, kind, path)
        for sha, kind, path in inc.conn.execute(
            "SELECT sha256, type, path FROM media WHERE deleted = 0 ORDER BY sha256"
        )
        if not path or not (inc.path / path).is_file()
    ]
    for sha, kind, _ in wanted:
        progress(say("downloading", sha=sha[:12]))
        reason = download(inc, hub, sha, kind)
        if reason:
            summary.pending.append(say("photo pending", sha=sha[:12], reason=reason))
        else:
            summary.photos_down += 1


def download(inc: Incident, hub: Hub, sha: str, kind: str | None) -> str:
    partial = inc.path / PARTIAL / f"{sha}.part"
    partial.parent.mkdir(exist_ok=True)
    have = partial.stat().st_size if partial.exists() else 0
    headers = {**hub.headers, **({"Range": f"bytes={have}-"} if have else {})}
    try:
        with hub.http.stream("GET", f"{hub.base}/media/{sha}", headers=headers) as r:
            if r.status_code == 404:
                return say("photo not on hub")
            if r.status_code == 416:  # already whole
                pass
            elif r.status_code not in (200, 206):
                return f"HTTP {r.status_code}"
            else:
                with open(partial, "ab" if r.status_code == 206 else "wb") as f:
                    for block in r.iter_bytes():
                        f.write(block)
                        f.flush()
                        kill_point("client-download-block")
                    f.flush()
                    os.fsync(f.fileno())
    except httpx.HTTPError as e:
        raise SyncError(
            say("unreachable", url=hub.url, reason=type(e).__name__), "unreachable"
        ) from None
    if file_sha256(partial) != sha:
        partial.unlink()
        return "the bytes received do not match the photo's SHA-256"
    relative = relative_path(sha, _suffix(kind))
    target = inc.path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.replace(target)
    kill_point("client-download-moved")
    with inc.transaction():  # the local path is this device's, not a synced change
        inc.conn.execute("UPDATE media SET path = ? WHERE sha256 = ?", (relative, sha))
    return ""


def _suffix(kind: str | None) -> str:
    if kind in ("image/jpeg", "image/jpg"):
        return ".jpg"
    return (mimetypes.guess_extension(kind) if kind else None) or ""


def _detail(r: httpx.Response) -> str:
    try:
        detail = r.json().get("detail")
        return detail if isinstance(detail, str) else f"HTTP {r.status_code}"
    except ValueError:
        return f"HTTP {r.status_code}"


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
