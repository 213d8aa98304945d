"""The short reference of a report or feature: what a person reads out, writes on paper or
types into a command (`K7M4-QX2P-ZA9B`), the same on every device.

Why not the start of the id: ids are time-ordered UUIDs (records.new_ids: 48 bits of
milliseconds first), so every report of one import began with the same eight characters. The
reference is made from the id's *random* end instead: the low 60 bits of the UUID (the 3 hex
digits after the variant digit and the last group of 12), which are random both in the
version 7 ids gspace writes and in the version 4 ids of the demo and of older stores. Any other
id (gspace writes none) gets a reference from the SHA-256 of the id, so every id has one; such
a reference is found like the others, except for a 36-character id whose end is not lower-case
hex (found by the id itself).

60 bits are 12 characters of Crockford's base32 (digits and letters without I, L, O, U, so
nothing reads as another character), shown in three groups of four for reading aloud. Typing,
`i`/`l` count as 1 and `o` as 0, case, dashes, spaces and full-width characters do not matter.

How often two references are the same (birthday bound, n ids, b bits: p ≈ n² / 2^(b+1)):

    n = 1,000,000   60 bits (12 characters): p ≈ 4.3e-7 (about 1 incident in 2.3 million)
                    50 bits (10 characters): p ≈ 4.4e-4;  45 bits (9 characters): p ≈ 1.4 %
    n = 300 (the demo), 60 bits: p ≈ 3.9e-14

So a million reports practically never share a reference; if two ever do, a command given that
reference lists both and the full id still picks one. A prefix is enough when it is unique:
another of n reports shares a k-character prefix with probability ≈ n / 32^k, so the first
group (4 characters) is usually enough for up to ~10,000 reports (n = 10,000: 1 %), and 6
characters for a million (0.1 %).

Finding a reference needs no column and no index (an index on random keys slows every import:
see store._v5_lean_imports): the prefix is a range of the id's last 16 characters, and one pass
over the covering `id` index answers it (~0.15 s for 1,000,000 reports).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata

from gspace.errors import GspaceError

LENGTH = 12  # characters
BITS = 5 * LENGTH
GROUP = 4
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]  # 10 bits -> 2 characters
_VALUE = {c: n for n, c in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_TAIL = re.compile(r"[0-9a-f]{3}-[0-9a-f]{12}")  # a UUID's last 16 characters
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_ANY_UUID = re.compile(r"[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}")
_DASHES = re.compile(r"[\s\-‐‑‒–—―−ー_]+")
_TABLES = {"reports": "report", "features": "feature"}
SHOWN_CANDIDATES = 8


def ref_value(id_: str) -> int:
    """The reference as a number (60 bits): the low bits of a UUID, else a hash of the id."""
    if len(id_) == 36 and _TAIL.fullmatch(id_, 20):
        return int(id_[20:23] + id_[24:], 16)
    return int.from_bytes(hashlib.sha256(id_.encode()).digest()[:8], "big") >> (64 - BITS)


def ref(id_: str) -> str:
    """The reference of a report or feature id, grouped for reading: `K7M4-QX2P-ZA9B`.

    Exports call it for every row: two characters per table look-up (under 1 µs an id)."""
    v, p = ref_value(id_), _PAIRS
    return (
        f"{p[v >> 50]}{p[v >> 40 & 1023]}-{p[v >> 30 & 1023]}"
        f"{p[v >> 20 & 1023]}-{p[v >> 10 & 1023]}{p[v & 1023]}"
    )


def group(prefix: str) -> str:
    """A (partial) ungrouped reference in groups of four, as the user will see it."""
    return "-".join(prefix[i : i + GROUP] for i in range(0, len(prefix), GROUP))


class RefError(GspaceError):
    """A reference or id that finds no row, or more than one."""


class UnknownRef(RefError):
    pass


class AmbiguousRef(RefError):
    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


class MalformedRef(RefError):
    """Text that can be neither an id nor a reference: a usage error, not a lookup's failure."""


def parse_prefix(text: str) -> str | None:
    """The ungrouped reference prefix a person typed (upper case, I/L as 1, O as 0), or None
    if `text` cannot be one."""
    cleaned = _DASHES.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not cleaned or len(cleaned) > LENGTH or any(c not in _VALUE for c in cleaned):
        return None
    return "".join(ALPHABET[_VALUE[c]] for c in cleaned)


def _value(prefix: str) -> int:
    n = 0
    for c in prefix:
        n = n * 32 + _VALUE[c]
    return n


def _tail(value: int) -> str:
    """A 60-bit value as the last 16 characters of a UUID (`hhh-hhhhhhhhhhhh`)."""
    digits = f"{value:015x}"
    return f"{digits[:3]}-{digits[3:]}"


def _live(table: str, deleted: bool) -> str:
    """Which rows a reference may name: live ones (a feature of a deleted layer is not live,
    store.query.LIVE_FEATURE), or with `deleted` every row (history, restoring)."""
    from gspace.store.query import LIVE_FEATURE

    if deleted:
        return "1"
    return LIVE_FEATURE if table == "features" else "deleted = 0"


def find(conn: sqlite3.Connection, table: str, text: str, deleted: bool = False) -> list[str]:
    """Ids of the live rows of `table` ("reports" or "features") that `text` names: the full
    id (with or without dashes, any case), or a prefix of the reference; with `deleted`, of
    deleted rows too. Raises MalformedRef for text that can be neither."""
    if table not in _TABLES:
        raise ValueError(table)
    live = _live(table, deleted)
    text = text.strip()
    exact = {text, text.lower()}
    if _HEX32.fullmatch(text):
        h = text.lower()
        exact.add(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    marks = ", ".join("?" * len(exact))
    found = conn.execute(
        f"SELECT id FROM {table} WHERE id IN ({marks}) AND {live}", sorted(exact)
    ).fetchall()
    if found:
        return [r[0] for r in found]
    prefix = parse_prefix(text)
    if prefix is None and _ANY_UUID.fullmatch(text):
        return []  # an id, of no live row
    if prefix is None:
        raise MalformedRef(
            f"{text!r} is not an id or a reference (12 letters and digits such as "
            "K7M4-QX2P-ZA9B, or the start of one)"
        )
    shift = BITS - 5 * len(prefix)
    low = _value(prefix) << shift
    high = low + (1 << shift) - 1
    # one pass over the id index, by the id's last 16 characters; ids of another shape (none
    # are written today) go through ref_value below like the rest
    rows = conn.execute(
        f"SELECT id FROM {table} WHERE id IN (SELECT id FROM {table} "
        f"WHERE substr(id, 21, 16) BETWEEN ? AND ? OR length(id) != 36) AND {live}",
        (_tail(low), _tail(high)),
    )
    return sorted(
        (r[0] for r in rows if low <= ref_value(r[0]) <= high), key=lambda i: ref_value(i)
    )


def resolve(conn: sqlite3.Connection, table: str, text: str, deleted: bool = False) -> str:
    """The one id that `text` names (see `find`); a clear error when none or several do, the
    several listed on one line with what tells them apart."""
    ids = find(conn, table, text, deleted)
    what = _TABLES[table]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UnknownRef(f"no {what} with id or reference {text.strip()!r}")
    shown = ", ".join(describe(conn, table, ids[:SHOWN_CANDIDATES]))
    more = len(ids) - SHOWN_CANDIDATES
    raise AmbiguousRef(
        f"{text.strip()!r} is the start of {len(ids)} {what}s' references: {shown}"
        + (f" and {more} more" if more > 0 else "")
        + "; give more characters",
        ids,
    )


def describe(conn: sqlite3.Connection, table: str, ids: list[str]) -> list[str]:
    """`REF (name)` for features, `REF (start of the text)` for reports: one line each,
    whatever line breaks or control characters the untrusted text holds."""
    column = "name" if table == "features" else "text"
    marks = ", ".join("?" * len(ids))
    names = dict(conn.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({marks})", ids))
    out = []
    for id_ in ids:
        name = "".join(c if c.isprintable() else " " for c in names.get(id_) or "")
        name = " ".join(name.split())
        out.append(f"{ref(id_)} ({name[:30]})" if name else ref(id_))
    return out
