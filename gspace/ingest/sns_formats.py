"""Reading SNS post exports into `Post`s.

Formats (DESIGN.md, `gspace import sns --format`):
- `x-v1`: X/Twitter API v1.1 statuses: a JSON array, JSONL, a search response wrapping them in
  `statuses` or `results`, a single status, or an account archive's `tweets.js`;
- `x-v2`: API v2 responses (`data` + `includes`), JSONL of responses, stream lines mixed with error
  objects, and twarc's flattened tweets (one tweet per line, expansions inline);
- `mastodon`: statuses (array or JSONL; `content` is HTML and becomes plain text) and an account
  archive's `outbox.json`;
- `csv` / `jsonl`: a table of posts with a column mapping (text, time, lat, lon, author, id, url),
  given or detected from common header names.

Readers yield `Post` or `Skip` (a record that cannot be used, with a one-line reason); nothing
here raises for bad records. JSONL is streamed line by line; a JSON document is read whole, and
when it is truncated, the complete records before the damage are still read.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import chain
from pathlib import Path

import orjson

from gspace.errors import GspaceError

FORMATS = ("auto", "x-v1", "x-v2", "mastodon", "csv", "jsonl")
MAPPING_FIELDS = ("text", "time", "lat", "lon", "author", "id", "url")
_COMMON_NAMES = {
    "text": ("text", "full_text", "content", "body", "message", "tweet", "post", "本文", "投稿",
             "内容", "テキスト", "ツイート"),
    "time": ("created_at", "time", "datetime", "date", "timestamp", "posted_at", "published",
             "日時", "投稿日時", "時刻", "日付"),
    "lat": ("lat", "latitude", "緯度", "y"),
    "lon": ("lon", "lng", "long", "longitude", "経度", "x"),
    "author": ("author", "user", "username", "screen_name", "handle", "account", "name",
               "投稿者", "ユーザー", "ユーザー名", "アカウント"),
    "id": ("id", "post_id", "tweet_id", "status_id", "id_str", "投稿id"),
    "url": ("url", "link", "permalink", "uri", "リンク"),
}  # fmt: skip
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".js")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
SNS_SUFFIXES = JSON_SUFFIXES + TABLE_SUFFIXES  # what the file dialogs offer
_SAMPLE = 1 << 16
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


@dataclass(slots=True)
class Post:
    network: str  # x, mastodon, post
    key: str  # stable identity: the post's URL, or network:id, or a digest of its content
    text: str
    url: str | None = None
    post_id: str | None = None
    author: str | None = None  # handle, e.g. @name
    author_name: str | None = None
    observed_at: str | None = None  # ISO 8601 with offset
    lon: float | None = None
    lat: float | None = None
    place: str | None = None  # the place name the post was tagged with
    place_bbox: tuple[float, float, float, float] | None = None  # W, S, E, N
    repost_of: str | None = None  # the original's key
    where: str = ""  # "line 12" or "record 3", for reasons


@dataclass(slots=True)
class Skip:
    where: str
    reason: str


Item = Post | Skip


# -- detection -------------------------------------------------------------------------------
def kind_of(obj: object) -> str | None:
    """The format a decoded JSON record belongs to, or None when it is not a known post."""
    if isinstance(obj, list):
        return next((k for k in map(kind_of, obj[:5]) if k), None)
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("tweet"), dict) or "statuses" in obj or "results" in obj:
        return "x-v1"
    if "data" in obj or ("errors" in obj and "text" not in obj):
        return "x-v2"
    if "orderedItems" in obj or ("account" in obj and "content" in obj):
        return "mastodon"
    if {"id_str", "user", "full_text", "retweeted_status"} & obj.keys():
        return "x-v1"
    if "text" in obj and {"author_id", "edit_history_tweet_ids", "conversation_id"} & obj.keys():
        return "x-v2"
    return None


def detect_format(path: Path) -> str:
    """The format of a file, from its name and first records."""
    return open_posts(path)[0]


def _detect(path: Path) -> tuple[str, Iterator[tuple[str, object]] | None]:
    """The format of a file and, for JSON, its records with the ones looked at put back, so
    that the file is read once."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        return "csv", None
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    if not head.strip():
        return "jsonl", None  # empty: nothing to read in any format
    if b"\0" in head:
        raise GspaceError(f"{path.name}: binary data, not a post export")
    if head.lstrip().startswith(b"window.YTD."):
        return "x-v1", None
    if head.lstrip()[:1] not in (b"[", b"{"):
        return "csv", None
    records, seen, kind = _records(path), [], None
    for where, record in records:
        seen.append((where, record))
        kind = None if isinstance(record, Skip) else kind_of(record)
        if kind or len(seen) > 20:
            break
    return kind or "jsonl", chain(seen, records)


# -- reading ---------------------------------------------------------------------------------
def open_posts(
    path: Path,
    fmt: str = "auto",
    *,
    zone: tzinfo = UTC,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
) -> tuple[str, Iterator[Item]]:
    """The file's format ("auto": detected) and its posts, streamed. `zone` is for times
    written without an offset."""
    records = None
    if fmt == "auto":
        fmt, records = _detect(path)
    if fmt == "csv":
        return fmt, _csv_posts(path, zone, mapping, encoding)
    return fmt, _posts(records or _records(path), _parser(fmt, zone, mapping))


def posts_of_lines(
    lines: list[bytes], first: int, fmt: str, *, zone: tzinfo = UTC, mapping=None
) -> Iterator[Item]:
    """The posts of a run of JSONL lines, the first being line number `first` of its file."""
    return _posts(_decoded(enumerate(lines, first)), _parser(fmt, zone, mapping))


def _parser(fmt: str, zone: tzinfo, mapping: dict | None):
    if fmt == "jsonl":
        return lambda obj, where: _mapped_posts(obj, where, mapping, zone)
    return {"x-v1": _v1_posts, "x-v2": _v2_posts, "mastodon": _mastodon_posts}[fmt]


def _posts(records: Iterable[tuple[str, object]], parse) -> Iterator[Item]:
    for where, record in records:
        if isinstance(record, Skip):
            yield record
            continue
        produced = False
        for obj, at in _dicts(record, where):
            for item in parse(obj, at):
                produced = True
                yield item
        if not produced:
            yield Skip(where, "not a post in this format (no text)")


def _dicts(obj: object, where: str) -> Iterator[tuple[dict, str]]:
    """The objects of a record, looking into lists (a JSON array of statuses, a list of lists)."""
    if isinstance(obj, list):
        for n, item in enumerate(obj, 1):
            yield from _dicts(item, f"{where}.{n}")
    elif isinstance(obj, dict):
        yield obj, where


def _records(path: Path) -> Iterator[tuple[str, object]]:
    """(where, decoded record or Skip) for JSONL and JSON documents alike."""
    if one_per_line(path):
        yield from _lines(path)
        return
    try:
        document = _load_document(path)
    except ValueError as e:
        records, reason = _salvage(path.read_bytes())
        for n, record in enumerate(records, 1):
            yield f"record {n}", record
        where = f"record {len(records) + 1}"
        yield where, Skip(where, reason or f"not valid JSON ({e})")
        return
    items = document if isinstance(document, list) else [document]
    for n, record in enumerate(items, 1):
        yield f"record {n}", record


def one_per_line(path: Path) -> bool:
    """JSONL (one record per line) unless the file starts like a JSON document spread over
    several lines and no line of its start is a record by itself."""
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    lines = [line for line in head.splitlines()[:-1] or head.splitlines() if line.strip()]
    if not lines or lines[0].lstrip()[:1] not in (b"[", b"{", b"w"):
        return True
    for line in lines[:50]:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict | list) and record:
            return True
    return False


def _lines(path: Path) -> Iterator[tuple[str, object]]:
    with path.open("rb") as f:
        yield from _decoded(enumerate(f, 1))


def _decoded(numbered: Iterable[tuple[int, bytes]]) -> Iterator[tuple[str, object]]:
    for n, line in numbered:
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            yield where, orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield where, Skip(where, f"not valid JSON ({str(e).split(':')[0]})")


def _load_document(path: Path) -> object:
    data = path.read_bytes()
    if data.lstrip().startswith(b"window.YTD."):
        data = data[data.index(b"=") + 1 :]  # an X archive's tweets.js: JavaScript around JSON
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise ValueError(str(e).split(":")[0]) from None


def _salvage(data: bytes) -> tuple[list, str | None]:
    """The complete records at the start of a truncated JSON array (top-level, or the one
    under `statuses`, `data`, `results` or `orderedItems`), and why the rest was left."""
    text = data.decode("utf-8", errors="replace")
    start = text.find("[")
    for key in ('"statuses"', '"data"', '"results"', '"orderedItems"'):
        at = text.find(key)
        if at != -1 and (start == -1 or at < start or text.lstrip()[:1] == "{"):
            start = text.find("[", at)
            break
    if start == -1:
        return [], "not valid JSON and no list of records to recover"
    decoder, records, pos = json.JSONDecoder(), [], start + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return records, None if pos < len(text) else "the file ends inside the list"
        try:
            record, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return records, f"the file is cut off or damaged at byte {pos}: the rest is left"
        records.append(record)


# -- X / Twitter API v1.1 ------------------------------------------------------------------
def _v1_posts(obj: dict, where: str) -> Iterator[Item]:
    if isinstance(obj.get("tweet"), dict):  # archive item
        obj = obj["tweet"]
    for key in ("statuses", "results"):
        if isinstance(obj.get(key), list):
            for status, at in _dicts(obj[key], where):
                yield from _v1_posts(status, at)
            return
    yield from _v1_status(obj, where)


def _v1_status(s: dict, where: str) -> Iterator[Item]:
    original = s.get("retweeted_status")
    repost_of = None
    if isinstance(original, dict):
        yield from _v1_status(original, where)
        repost_of = _x_key(original.get("id_str") or original.get("id"))
    text = _v1_text(s)
    post_id = str(s.get("id_str") or s.get("id") or "") or None
    if not text or post_id is None:
        if not repost_of:
            yield Skip(where, "status without text or id")
        return
    user = s.get("user") if isinstance(s.get("user"), dict) else {}
    handle = user.get("screen_name")
    post = Post(
        network="x",
        key=_x_key(post_id),
        text=text,
        url=f"https://x.com/{handle or 'i/web'}/status/{post_id}",
        post_id=post_id,
        author=f"@{handle}" if handle else None,
        author_name=user.get("name"),
        observed_at=_time(s.get("created_at")),
        repost_of=repost_of,
        where=where,
    )
    _set_point(post, s.get("coordinates"))
    if post.lon is None and isinstance(s.get("geo"), dict):  # the old field: [lat, lon]
        lat_lon = s["geo"].get("coordinates")
        if isinstance(lat_lon, list) and len(lat_lon) == 2:
            _set_point(post, {"coordinates": [lat_lon[1], lat_lon[0]]})
    place = s.get("place")
    if isinstance(place, dict):
        post.place = place.get("full_name") or place.get("name")
        box = (place.get("bounding_box") or {}).get("coordinates")
        post.place_bbox = _ring_bbox(box[0] if isinstance(box, list) and box else None)
    yield post


def _v1_text(s: dict) -> str:
    extended = s.get("extended_tweet")
    text = (extended or {}).get("full_text") or s.get("full_text") or s.get("text") or ""
    return html.unescape(text).strip() if isinstance(text, str) else ""


def _x_key(post_id: object) -> str:
    return f"https://x.com/i/web/status/{post_id}"


# -- X / Twitter API v2 --------------------------------------------------------------------
def _v2_posts(obj: dict, where: str) -> Iterator[Item]:
    if "data" not in obj:
        if "errors" in obj and "text" not in obj:
            yield Skip(where, f"an error from the API: {_error_text(obj['errors'])}")
        elif "text" in obj:
            yield from _v2_tweet(obj, where, {}, {}, {})  # twarc's flattened tweet
        return
    includes = obj.get("includes") or {}
    users = {u.get("id"): u for u in includes.get("users", []) if isinstance(u, dict)}
    places = {p.get("id"): p for p in includes.get("places", []) if isinstance(p, dict)}
    tweets = {t.get("id"): t for t in includes.get("tweets", []) if isinstance(t, dict)}
    data = obj["data"]
    for n, tweet in enumerate(data if isinstance(data, list) else [data], 1):
        if isinstance(tweet, dict):
            name = f"{where}.{n}" if isinstance(data, list) and len(data) > 1 else where
            yield from _v2_tweet(tweet, name, users, places, tweets)


def _v2_tweet(t: dict, where: str, users: dict, places: dict, tweets: dict) -> Iterator[Item]:
    repost_of = None
    for ref in t.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "retweeted" and ref.get("id"):
            repost_of = _x_key(ref["id"])
            original = tweets.get(ref["id"]) or (ref if "text" in ref else None)
            if original:
                yield from _v2_tweet(original, where, users, places, tweets)
    text = html.unescape(t.get("text") or "").strip()
    post_id = t.get("id")
    if not text or not post_id:
        if not repost_of:
            yield Skip(where, "tweet without text or id")
        return
    user = t.get("author") if isinstance(t.get("author"), dict) else users.get(t.get("author_id"))
    handle = (user or {}).get("username")
    post = Post(
        network="x",
        key=_x_key(post_id),
        text=text,
        url=f"https://x.com/{handle or 'i/web'}/status/{post_id}",
        post_id=str(post_id),
        author=f"@{handle}" if handle else None,
        author_name=(user or {}).get("name"),
        observed_at=_time(t.get("created_at")),
        repost_of=repost_of,
        where=where,
    )
    geo = t.get("geo") if isinstance(t.get("geo"), dict) else {}
    _set_point(post, geo.get("coordinates"))
    place = geo.get("place")  # twarc's flattened tweets carry the place inline
    if not isinstance(place, dict):
        place = places.get(geo.get("place_id"))
    if isinstance(place, dict):
        post.place = place.get("full_name") or place.get("name")
        box = (place.get("geo") or {}).get("bbox")
        post.place_bbox = _bbox(box)
    yield post


def _error_text(errors: object) -> str:
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        return str(first.get("detail") or first.get("title") or first.get("message") or first)
    return str(first)[:200]


# -- Mastodon --------------------------------------------------------------------------------
def _mastodon_posts(obj: dict, where: str) -> Iterator[Item]:
    if isinstance(obj.get("orderedItems"), list):
        for n, activity in enumerate(obj["orderedItems"], 1):
            yield from _activity(activity, f"{where}.{n}")
        return
    reblog = obj.get("reblog")
    if isinstance(reblog, dict):
        yield from _mastodon_posts(reblog, where)
        key = _mastodon_key(obj) or f"mastodon:{obj.get('id')}"
        yield Post("mastodon", key, "", repost_of=_mastodon_key(reblog), where=where)
        return
    text = html_to_text(obj.get("content"))
    if obj.get("spoiler_text"):
        text = f"{obj['spoiler_text']}\n{text}".strip()
    key = _mastodon_key(obj)
    if not text or not key:
        yield Skip(where, "status without text or address")
        return
    account = obj.get("account") if isinstance(obj.get("account"), dict) else {}
    yield Post(
        network="mastodon",
        key=key,
        text=text,
        url=obj.get("url") or obj.get("uri"),
        post_id=str(obj.get("id")) if obj.get("id") is not None else None,
        author=f"@{account['acct']}" if account.get("acct") else None,
        author_name=account.get("display_name") or None,
        observed_at=_time(obj.get("created_at")),
        where=where,
    )


def _activity(activity: object, where: str) -> Iterator[Item]:
    """One item of an account archive's outbox.json (ActivityPub)."""
    if not isinstance(activity, dict):
        return
    note = activity.get("object")
    if activity.get("type") == "Announce" and isinstance(note, str):
        key = activity.get("id") if isinstance(activity.get("id"), str) else f"boost:{note}"
        yield Post("mastodon", key, "", repost_of=note, where=where)
        return
    if activity.get("type") != "Create" or not isinstance(note, dict):
        yield Skip(where, f"a {activity.get('type', 'untyped')} activity, not a post")
        return
    text = html_to_text(note.get("content"))
    key = note.get("url") or note.get("id")
    if not text or not isinstance(key, str):
        yield Skip(where, "note without text or address")
        return
    yield Post(
        network="mastodon",
        key=key,
        text=text,
        url=key,
        post_id=note.get("id"),
        author=note.get("attributedTo") if isinstance(note.get("attributedTo"), str) else None,
        observed_at=_time(note.get("published")),
        where=where,
    )


def _mastodon_key(status: dict) -> str | None:
    key = status.get("url") or status.get("uri")
    return key if isinstance(key, str) and key else None


def html_to_text(content: object) -> str:
    """Mastodon's HTML content as plain text: paragraphs and line breaks kept, tags dropped,
    entities decoded. The result is text, to be escaped wherever it is shown."""
    if not isinstance(content, str):
        return ""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content))).strip()


# -- CSV and JSONL with a column mapping ----------------------------------------------------
def detect_mapping(columns: Iterable[str], given: dict[str, str] | None = None) -> dict[str, str]:
    """field -> column: the columns given, else the first common name found (any case)."""
    by_key = {c.strip().lower(): c for c in columns}
    mapping = {}
    for name in MAPPING_FIELDS:
        if given and given.get(name):
            mapping[name] = given[name]
            continue
        found = next((by_key[n] for n in _COMMON_NAMES[name] if n in by_key), None)
        if found:
            mapping[name] = found
    return mapping


def _csv_posts(path: Path, zone: tzinfo, given: dict | None, encoding: str | None):
    from gspace.ingest.layer_files import detect_encoding

    data = path.read_bytes()
    if b"\0" in data[:_SAMPLE]:
        raise GspaceError(f"{path.name}: binary data, not a CSV file")
    encoding = encoding or detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise GspaceError(f"{path.name}: cannot read as {encoding} ({e})") from None
    del data
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    mapping = detect_mapping(reader.fieldnames or [], given)
    missing = [c for c in mapping.values() if c not in (reader.fieldnames or [])]
    if missing:
        raise GspaceError(f"{path.name}: no column named {', '.join(missing)}")
    if "text" not in mapping:
        raise GspaceError(
            f"{path.name}: no text column found (name it with --text-column); columns: "
            + ", ".join(reader.fieldnames or [])
        )
    for row in reader:
        yield from _mapped_posts(row, f"line {reader.line_num}", mapping, zone)


def _mapped_posts(obj: dict, where: str, mapping: dict | None, zone: tzinfo) -> Iterator[Item]:
    if mapping is None or "text" not in mapping:
        mapping = detect_mapping(obj.keys(), mapping)

    def cell(name: str) -> str | None:
        value = _path(obj, mapping[name]) if name in mapping else None
        return None if value is None or value == "" else str(value).strip()

    text = cell("text")
    if not text:
        yield Skip(where, "no text")
        return
    url, post_id, author = cell("url"), cell("id"), cell("author")
    observed = cell("time")
    key = url or (f"post:{post_id}" if post_id else None)
    if not key:
        digest = hashlib.sha1(f"{author}\n{observed}\n{text}".encode()).hexdigest()[:20]
        key = f"post:{digest}"
    post = Post(
        network="post",
        key=key,
        text=text,
        url=url,
        post_id=post_id,
        author=author,
        observed_at=_time(observed, zone),
        where=where,
    )
    lat, lon = cell("lat"), cell("lon")
    if lat and lon:
        try:
            _set_point(post, {"coordinates": [float(lon), float(lat)]})
        except ValueError:
            yield Skip(where, f"coordinates are not numbers ({lat}, {lon}); imported without")
    yield post


def _path(obj: dict, dotted: str) -> object:
    value: object = obj.get(dotted)
    if value is None and "." in dotted:
        value = obj
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return value


# -- shared helpers --------------------------------------------------------------------------
def _set_point(post: Post, geometry: object) -> None:
    """A GeoJSON point ([lon, lat], as X writes it) when it is a real place on Earth."""
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not (isinstance(coordinates, list) and len(coordinates) >= 2):
        return
    lon, lat = coordinates[0], coordinates[1]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lon, lat)):
        return
    if -180 <= lon <= 180 and -90 <= lat <= 90 and (lon, lat) != (0, 0):
        post.lon, post.lat = float(lon), float(lat)


def _ring_bbox(ring: object) -> tuple[float, float, float, float] | None:
    try:
        lons = [float(p[0]) for p in ring]  # type: ignore[union-attr]
        lats = [float(p[1]) for p in ring]  # type: ignore[union-attr]
        return _bbox([min(lons), min(lats), max(lons), max(lats)])
    except (TypeError, ValueError, IndexError):
        return None


def _bbox(box: object) -> tuple[float, float, float, float] | None:
    if not (isinstance(box, list) and len(box) == 4):
        return None
    try:
        w, s, e, n = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    if -180 <= w <= e <= 180 and -90 <= s <= n <= 90:
        return w, s, e, n
    return None


_V1_TIME = re.compile(r"\w{3} (\w{3}) (\d{1,2}) (\d\d):(\d\d):(\d\d) ([+-]\d\d)(\d\d) (\d{4})")


def _v1_time(month, day, hh, mm, ss, offset_h, offset_m, year) -> str | None:
    """ISO 8601 of the parts of X v1's "Fri Dec 11 01:25:59 +0000 2015" (a million posts
    pass here: written out directly once the date is known to exist)."""
    number = MONTHS.get(month)
    try:
        datetime(int(year), number or 0, int(day), int(hh), int(mm), int(ss))
    except ValueError:
        return None
    if abs(int(offset_h)) > 23 or int(offset_m) > 59:
        return None
    return f"{year}-{number:02d}-{int(day):02d}T{hh}:{mm}:{ss}{offset_h}:{offset_m}"


def _time(value: object, zone: tzinfo = UTC) -> str | None:
    """ISO 8601 with offset from the ways posts write times: ISO (Z or offset; without one, in
    `zone`), X v1's "Fri Dec 11 01:25:59 +0000 2015", 2026/11/24 9:30, or Unix seconds.
    English month names are read by table, not by the locale (Qt sets the locale)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if v1 := _V1_TIME.fullmatch(text):
        return _v1_time(*v1.groups())
    try:
        moment = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()
